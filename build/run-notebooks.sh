#!/usr/bin/env bash
# Packs the library into artifacts/packages and runs every notebook in notebooks/ headless with dotnet-repl
# (pinned in .config/dotnet-tools.json), as a user would: the notebooks reference the package, not the source.
# Fails when a notebook's run fails or any cell has an error output. Executed copies go to artifacts/notebooks/.
#   build/run-notebooks.sh            run all notebooks
#   build/run-notebooks.sh --update   also write the executed notebooks back into notebooks/ (outputs kept, progress noise dropped)
#   build/run-notebooks.sh notebooks/01-quickstart.ipynb   run only the named ones
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

update=false
notebooks=()
for arg in "$@"; do
  case "$arg" in
    --update) update=true ;;
    *) notebooks+=("$arg") ;;
  esac
done
if [ ${#notebooks[@]} -eq 0 ]; then notebooks=(notebooks/*.ipynb); fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
version=$(dotnet msbuild src/MLNet.Adversarial/MLNet.Adversarial.csproj -getProperty:Version)

echo "== packing MLNet.Adversarial $version into artifacts/packages"
dotnet pack src/MLNet.Adversarial/MLNet.Adversarial.csproj -c Release -o artifacts/packages --nologo -v:q

# NuGet never re-extracts a version it already holds, so a package rebuilt under the same version would be shadowed
# by the stale copy: drop this library's own entry (and nothing else) from the global packages folder.
rm -rf "${NUGET_PACKAGES:-$HOME/.nuget/packages}/mlnet.adversarial/$version"

dotnet tool restore >/dev/null
mkdir -p artifacts/notebooks
failed=0
for nb in "${notebooks[@]}"; do
  name=$(basename "$nb")
  out="$root/artifacts/notebooks/$name"
  rm -f "$out"
  echo "== running $nb"
  start=$(date +%s)
  set +e
  # Run from the notebook's folder, as an editor does: the notebooks' paths (../artifacts/packages) are relative to it.
  (cd "$(dirname "$nb")" && timeout 600 dotnet repl --run "$name" --exit-after-run --output-path "$out" >"$out.log" 2>&1)
  rc=$?
  set -e
  seconds=$(( $(date +%s) - start ))
  if python3 "$root/build/check-notebook.py" "$out" "$([ "$update" = true ] && echo "$root/$nb")"; then
    if [ $rc -ne 0 ]; then echo "   dotnet repl exited $rc (see $out.log)"; failed=1; fi
  else
    failed=1
  fi
  echo "   $name: ${seconds}s"
  if [ "$seconds" -gt 180 ]; then echo "   warning: over the 3-minute budget for a notebook"; fi
done
exit $failed
