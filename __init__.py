"""Guard: Python imports this file only by mistake, when it runs in the folder that contains a clone named `camteach`.

There `import camteach` finds the clone's folder before the installed package. Without this file that folder would
become a namespace package and fail much later with a cryptic error; with it, the import stops here and says why.
(pytest is kept from importing it by `tests/pytest.ini`, which makes tests/ pytest's root directory.)"""
from pathlib import Path as _Path
_here = _Path(__file__).resolve().parent
raise ImportError(f"`import camteach` found {_here}, the folder of the camteach clone, not the package inside it: "
                  f"Python looks in the current folder first. Run Python from inside the clone ({_here}) or from any other folder "
                  f"(with the clone's .venv activated), not from {_here.parent}.")
