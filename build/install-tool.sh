#!/usr/bin/env bash
# Packs the tailmark tool as it ships for this machine's platform — Native AOT (src/Tailmark.Cli/Tailmark.Cli.csproj)
# — and installs it with `dotnet tool install --tool-path DIR`, as a user would; prints the installed command's path.
# Each run packs a version of its own (0.0.0-local.<time>), so NuGet's package cache never hands out an older build.
# Native AOT links with clang and zlib (Debian: apt-get install clang zlib1g-dev).
# Usage: build/install-tool.sh DIR [extra dotnet pack arguments]
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: build/install-tool.sh DIR [dotnet pack arguments]" >&2; exit 2; }
dir=$(realpath -m "$1")
shift
cd "$(dirname "$0")/.."
# The SDK's portable RID (linux-x64), the one the package list names, not a distribution's own.
rid=$(dotnet msbuild src/Tailmark.Cli -getProperty:TailmarkAotRid)
version="0.0.0-local.$(date +%s%N)"
pkg=$(mktemp -d)
trap 'rm -rf "$pkg"' EXIT
log="$pkg/pack.log"
if ! dotnet pack src/Tailmark.Cli -c Release -o "$pkg" -p:Version="$version" -p:ToolPackageRuntimeIdentifiers="$rid" "$@" >"$log" 2>&1; then
  tail -40 "$log" >&2
  echo "install-tool: dotnet pack failed (Native AOT needs clang and zlib1g-dev)" >&2
  exit 1
fi
dotnet tool install Tailmark.Cli --tool-path "$dir" --add-source "$pkg" --version "$version" >/dev/null
echo "$dir/tailmark"
