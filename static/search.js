// The search box of every page and the search page: see templates/partials/search_box.html.
