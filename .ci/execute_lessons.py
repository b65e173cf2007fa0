"""Execute lessons in place so the committed notebooks carry their figures (slow cells skipped, as nbdev_test does).

    python .ci/execute_lessons.py                 # every notebook in nbs/
    python .ci/execute_lessons.py 07_hybrid.ipynb # one lesson
    python .ci/execute_lessons.py 08b_perturbation.ipynb --slow dad6ea9e   # also the slow cell with this id (CAMTEACH_SLOW=1)
Then run `nbdev_clean` and commit. CI does not check that outputs are fresh; this is for readers without a kernel.
Slow cells that are not named keep the outputs they had."""
import os, sys
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell

args, slow = sys.argv[1:], set()
if '--slow' in args:
    i = args.index('--slow'); slow = set(args[i + 1].split(',')); args = args[:i] + args[i + 2:]
    os.environ['CAMTEACH_SLOW'] = '1'            # the lessons' RUN_SLOW guard; only the named slow cells run
nbs = Path(__file__).resolve().parent.parent/'nbs'
os.chdir(nbs)                                    # lessons read ../images and ../bench relative to nbs/
runs = lambda c: c.cell_type == 'code' and ('#| slow' not in c.source or c.get('id') in slow)
for name in args or sorted(p.name for p in nbs.glob('*.ipynb')):
    nb = read_nb(nbs/name)
    missing = slow - {c.get('id') for c in nb.cells}
    if missing: sys.exit(f'{name}: no cell with id {sorted(missing)}')
    for c in nb.cells:                           # execnb replaces outputs only where there are new ones: clear the cells it runs
        if runs(c): c.outputs = []
    CaptureShell().run_all(nb, exc_stop=True, preproc=lambda c: not runs(c))
    write_nb(nb, nbs/name)
    print('executed', name, flush=True)
