"The exported package stands on its own: no name that only a notebook defines, no source that warns when compiled."
import warnings
from pathlib import Path
from pyflakes.api import check
from pyflakes.reporter import Reporter
from pyflakes import messages

PKG = Path(__file__).resolve().parent.parent/'camteach'
FILES = sorted(p for p in PKG.glob('*.py') if p.name != '_modidx.py')

class Collect(Reporter):
    def __init__(self): self.found = []
    def flake(self, m): self.found.append(m)
    def syntaxError(self, filename, msg, lineno, offset, text): self.found.append(f'{filename}:{lineno}: {msg}')
    def unexpectedError(self, filename, msg): self.found.append(f'{filename}: {msg}')

def test_no_undefined_names():
    "A helper that a lesson imported in an unexported cell works in the notebook and fails with NameError in the package."
    r = Collect()
    for path in FILES: check(path.read_text(), str(path), r)
    bad = [str(m) for m in r.found if not isinstance(m, messages.UnusedImport)]   # re-exports look unused
    assert not bad, '\n'.join(bad)

def test_compiles_without_warnings():
    "E.g. LaTeX in a module docstring: an invalid escape sequence, a SyntaxWarning from Python 3.12."
    assert len(FILES) >= 15
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        for path in FILES: compile(path.read_text(), str(path), 'exec')
