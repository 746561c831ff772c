#!/usr/bin/env bash
# What a deploy preview costs on top of a plain build, on the generated 10,000-page handbook:
# a clean `handbook build` against a clean `handbook build --base HEAD` of a merge request that
# changes 50 pages and moves 20 to new files (10 of them also edited), their old URLs kept as
# aliases so that every link still works.
#
#   cargo bench --bench build -- 10000 clean   # generates target/bench-sites/handbook-10000
#   bash benches/preview.sh [RUNS]             # default 5 runs of each; prints medians
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
site=target/bench-sites/handbook-10000
[ -d "$site/content" ] || { echo "no $site: run 'cargo bench --bench build -- 10000 clean' first" >&2; exit 1; }
cargo build --release --quiet
bin=$(realpath "${CARGO_TARGET_DIR:-target}")/release/handbook

work=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
cp -r "$site" "$work/site"
cd "$work/site"
export GIT_CONFIG_GLOBAL=/dev/null GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=b@example.com \
  GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=b@example.com
git init -q -b main && git add -A && git commit -q -m base

mapfile -t pages < <(git ls-files 'content/*.md' | grep -v '/index.md$' | sort | head -70)
url_of() { local u="/${1#content/}"; echo "${u%.md}/"; }
for p in "${pages[@]:0:50}"; do printf '\n## Added by the merge request\n\nNew text.\n' >> "$p"; done
# Moved pages keep their old URL as an alias: links into the handbook keep working, as in a
# merge request that passes `handbook check --base`.
for p in "${pages[@]:50:10}"; do
  git mv -f "$p" "${p%.md}-renamed.md"
  sed -i "2i aliases: [\"$(url_of "$p")\"]" "${p%.md}-renamed.md"
done
i=0
for p in "${pages[@]:60:10}"; do
  i=$((i + 1))
  { sed "2i aliases: [\"$(url_of "$p")\"]" "$p"; printf '\n## Replaced\n\nA new page in its place.\n'; } > "content/new-page-$i.md"
  git rm -q "$p"
done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# Each run prints "wall_ms user_ms system_ms". User CPU is the steady figure here: creating
# 10,000 files makes the system time and the wall time swing by seconds on this machine.
measure() {
  for _ in $(seq 1 "$runs"); do
    rm -rf "$work/out" "$work/.out.staging"
    /usr/bin/time -f "%e %U %S" -o "$work/time" \
      "$bin" build --output-dir "$work/out" "$@" > /dev/null 2> "$work/stderr" || true
    [ -f "$work/out/index.html" ] || { cat "$work/stderr" >&2; exit 1; }
    awk '{printf "%d %d %d\n", $1 * 1000, $2 * 1000, $3 * 1000}' "$work/time"
  done > "$work/runs"
  echo "$(cut -d' ' -f1 "$work/runs" | median) ms | $(cut -d' ' -f2 "$work/runs" | median) ms | $(cut -d' ' -f3 "$work/runs" | median) ms"
}
plain=$(measure)
preview=$(measure --base HEAD)
changed=$(grep -o '[0-9]* pages changed' "$work/out/index.html" | head -1)
echo "| build (clean, median of $runs) | wall | CPU user | CPU system |"
echo "|---|---:|---:|---:|"
echo "| handbook build | ${plain} |"
echo "| handbook build --base HEAD ($changed) | ${preview} |"
