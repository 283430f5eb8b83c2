#!/usr/bin/env bash
# Packs the fixture VS Code extensions in tests/support/fixtures/extensions/<name>/ into .vsix
# files with @vscode/vsce (a devDependency of builder-runner), into a cache directory named by
# a content hash of the fixtures, and reuses it when present.
# stdout: the directory holding the .vsix files (<publisher>.<name>-<version>.vsix).
source "$(dirname "$0")/lib.sh"
testbed_lock

repo=$(cd "$(dirname "$0")/../.." && pwd)
fixtures="$repo/tests/support/fixtures/extensions"
vsce="$repo/node_modules/.bin/vsce"
[ -x "$vsce" ] || die "$vsce is missing: run npm install at the repository root"

hash=$(cd "$fixtures" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
out="$DCK_CACHE/vsix/$hash"
if [ -f "$out/.complete" ]; then
  done_msg "reusing $out"
  echo "$out"
  exit 0
fi

rm -rf "$out.tmp"; mkdir -p "$out.tmp"
for dir in "$fixtures"/*/; do
  # shellcheck disable=SC2016 # a JavaScript template literal, not a shell expansion
  id=$(node -e 'const p=require(process.argv[1]); console.log(`${p.publisher}.${p.name}-${p.version}`)' "$dir/package.json")
  say "vsce package $id"
  (cd "$dir" && "$vsce" package --no-dependencies --allow-missing-repository --skip-license \
      --out "$out.tmp/$id.vsix" >"$out.tmp.log" 2>&1 </dev/null) || { cat "$out.tmp.log" >&2; die "vsce package $id failed (log above)"; }
done
touch "$out.tmp/.complete"
rm -rf "$out" "$out.tmp.log"; mv "$out.tmp" "$out"
packed=("$out"/*.vsix)
done_msg "packed ${#packed[@]} extensions into $out"
echo "$out"
