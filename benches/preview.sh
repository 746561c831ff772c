#!/usr/bin/env bash
# What a deploy preview costs on top of a plain build, on the generated 10,000-page handbook:
# a clean `handbook build` against a clean `handbook build --base HEAD` of a merge request that
# changes 50 pages, adds 10, renames 10 (half with an alias) and removes 10.
#
#   cargo bench --bench build -- 10000 clean   # generates target/bench-sites/handbook-10000
#   bash benches/preview.sh [RUNS]             # default 5 runs of each; prints medians
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
site=target/bench-sites/handbook-10000
[ -d "$site/content" ] || { echo "no $site: run 'cargo bench --bench build -- 10000 clean' first" >&2; exit 1; }
cargo build --release --quiet
bin=$(pwd)/target/release/handbook

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$site" "$work/site"
cd "$work/site"
export GIT_CONFIG_GLOBAL=/dev/null GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=b@example.com \
  GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=b@example.com
git init -q -b main && git add -A && git commit -q -m base

mapfile -t pages < <(git ls-files 'content/*.md' | grep -v '/index.md$' | sort | head -80)
for p in "${pages[@]:0:50}"; do printf '\n## Added by the merge request\n\nNew text.\n' >> "$p"; done
for i in $(seq 1 10); do printf -- '---\ntitle: New page %s\n---\n\nHello.\n' "$i" > "content/new-page-$i.md"; done
for p in "${pages[@]:50:10}"; do git mv -f "$p" "${p%.md}-renamed.md"; done
for p in "${pages[@]:50:5}"; do
  url="/${p#content/}"; url="${url%.md}/"
  sed -i "2i aliases: [\"$url\"]" "${p%.md}-renamed.md"
done
for p in "${pages[@]:60:10}"; do git rm -q "$p"; done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() {
  for _ in $(seq 1 "$runs"); do
    rm -rf "$work/out" "$work/.out.staging"
    local start end
    start=$(date +%s%N)
    "$bin" build --output-dir "$work/out" "$@" > /dev/null 2> "$work/stderr"
    end=$(date +%s%N)
    echo $(((end - start) / 1000000))
  done | median
}
plain=$(measure)
preview=$(measure --base HEAD)
grep -c "leads nowhere\|without a redirect" "$work/stderr" | sed 's/^/old URLs flagged: /'
changed=$(grep -o '[0-9]* pages changed' "$work/out/index.html" | head -1)
echo "| build (clean, median of $runs) | time |"
echo "|---|---:|"
echo "| handbook build | ${plain} ms |"
echo "| handbook build --base HEAD ($changed) | ${preview} ms |"
