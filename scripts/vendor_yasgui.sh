#!/usr/bin/env bash
# Re-fetch the pinned @zazuko/yasgui from the npm registry and vendor its built
# files into src/kg/static/vendor/yasgui/, so the query page needs no CDN.
set -euo pipefail

PACKAGE="@zazuko/yasgui"
VERSION="4.6.2"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TARGET="$ROOT/src/kg/static/vendor/yasgui"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

(cd "$WORK" && npm pack --silent "$PACKAGE@$VERSION" >/dev/null && tar xzf ./*.tgz)
LICENSE="$(node -p "require('$WORK/package/package.json').license")"

mkdir -p "$TARGET"
rm -f "$TARGET"/yasgui.min.js "$TARGET"/yasgui.min.css
# The UMD bundle carries its own dependencies; strip the source-map comment
# because the (3.6 MB) maps are not vendored.
sed '/^\/\/# sourceMappingURL=/d' "$WORK/package/build/yasgui.min.js" > "$TARGET/yasgui.min.js"
sed 's#/\*\# sourceMappingURL=[^*]*\*/##' "$WORK/package/build/yasgui.min.css" > "$TARGET/yasgui.min.css"

cat > "$TARGET/VERSION" <<TXT
$PACKAGE $VERSION
TXT
cat > "$TARGET/README.md" <<TXT
# Vendored YASGUI

- Package: \`$PACKAGE\` (npm registry), version $VERSION
- License: $LICENSE (Copyright Triply B.V., Zazuko GmbH and contributors;
  https://github.com/rdfjs/Yasgui)
- Files: \`build/yasgui.min.js\` and \`build/yasgui.min.css\` of the npm package,
  with their source-map comments removed. The CSS references no fonts or images.
- Refresh: \`scripts/vendor_yasgui.sh\` (edit VERSION in it to upgrade).
TXT
echo "vendored $PACKAGE $VERSION into $TARGET"
