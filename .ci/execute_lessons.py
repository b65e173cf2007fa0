"""Execute lessons in place so the committed notebooks carry their figures (slow cells skipped, as nbdev_test does).

    python .ci/execute_lessons.py                 # every notebook in nbs/
    python .ci/execute_lessons.py 07_hybrid.ipynb # one lesson
Then run `nbdev_clean` and commit. CI does not check that outputs are fresh; this is for readers without a kernel."""
import os, sys
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell

nbs = Path(__file__).resolve().parent.parent/'nbs'
os.chdir(nbs)                                    # lessons read ../images and ../bench relative to nbs/
for name in sys.argv[1:] or sorted(p.name for p in nbs.glob('*.ipynb')):
    nb = read_nb(nbs/name)
    for c in nb.cells:                           # execnb replaces outputs only where there are new ones: clear the cells it runs
        if c.cell_type == 'code' and '#| slow' not in c.source: c.outputs = []
    CaptureShell().run_all(nb, exc_stop=True, preproc=lambda c: c.cell_type != 'code' or '#| slow' in c.source)
    write_nb(nb, nbs/name)
    print('executed', name, flush=True)
