"""Checks an executed notebook: every code cell ran and none has an error output. Optionally writes a cleaned copy.

usage: check-notebook.py EXECUTED.ipynb [CLEAN_COPY.ipynb]
The cleaned copy keeps the outputs (tables, charts) but drops the package-restore progress displays and repeated identical displays.
"""
import json
import sys

path = sys.argv[1]
try:
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
except (OSError, ValueError) as e:
    print(f"   FAILED: no executed notebook at {path} ({e})")
    sys.exit(1)

errors = []
not_run = 0
for index, cell in enumerate(nb.get("cells", [])):
    if cell.get("cell_type") != "code":
        continue
    outputs = cell.get("outputs", [])
    if not outputs and cell.get("execution_count") is None:
        not_run += 1
    for o in outputs:
        if o.get("output_type") == "error":
            errors.append((index, o.get("ename", ""), o.get("evalue", "")))

for index, name, value in errors:
    first = value.strip().splitlines()[0] if value.strip() else ""
    print(f"   FAILED: cell {index}: {name}: {first[:400]}")
if not errors and not_run:
    print(f"   note: {not_run} code cells have no output")

if len(sys.argv) > 2 and sys.argv[2] and not errors:
    def keep(o):
        text = json.dumps(o.get("data", {}))
        return "Installing Packages" not in text
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            kept, seen = [], set()
            for o in cell.get("outputs", []):
                key = json.dumps(o, sort_keys=True)
                if keep(o) and key not in seen:  # restore progress repeats the same display many times
                    kept.append(o)
                    seen.add(key)
            cell["outputs"] = kept
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(nb, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"   updated {sys.argv[2]}")

sys.exit(1 if errors else 0)
