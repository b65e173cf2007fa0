"End-to-end: the installed `camteach` console command, as a user runs it."
import shutil, subprocess, sys
from pathlib import Path

def run(*args):
    exe = shutil.which('camteach') or sys.exit('camteach console script is not installed')
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=300)

def test_demo_writes_png(tmp_path):
    out = tmp_path/'fig'/'demo.png'
    r = run('demo', '--out', str(out))
    assert r.returncode == 0, r.stderr
    assert out.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    assert str(out) in r.stdout and 'Grad-CAM' in r.stdout

def test_demo_rejects_bad_n(tmp_path):
    r = run('demo', '--out', str(tmp_path/'x.png'), '--n', '0')
    assert r.returncode == 2 and '--n must be at least 1' in r.stderr
    assert not (tmp_path/'x.png').exists()

def test_unknown_command():
    r = run('frobnicate')
    assert r.returncode == 2 and 'invalid choice' in r.stderr

def test_bad_arguments_get_one_line(tmp_path):
    "Every bad argument: exit status 2, one line on stderr naming it with the valid choices, no traceback, no file."
    out = str(tmp_path/'r.csv')
    for args, msg in [(('evaluate', '--layers', 'features.9'), "'features.9' is not a layer of shapes-gap; choose from features.0"),
                      (('evaluate', '--methods', 'gradcam', 'smoothgrad'), "unknown method 'smoothgrad'; choose from cam, gradcam"),
                      (('evaluate', '--model', 'cats-gap'), "invalid choice: 'cats-gap' (choose from 'shapes-gap'"),
                      (('evaluate', '--n', '0'), '--n must be at least 1'),
                      (('demo', '--layer', 'layer4'), "'layer4' is not a layer of shapes-gap")]:
        r = run(*args, '--out', out)
        assert r.returncode == 2 and msg in r.stderr and r.stderr.count('\n') == 1 and 'Traceback' not in r.stderr, (args, r.stderr)
    assert not (tmp_path/'r.csv').exists()

def test_evaluate_progress_summary_and_columns(tmp_path):
    r = run('evaluate', '--n', '2', '--layers', 'features.3', '--methods', 'gradcam', '--batch', '1', '--out', str(tmp_path/'r.csv'))
    assert r.returncode == 0, r.stderr
    assert '[features.3]    1/2 images' in r.stdout and '[features.3]    2/2 images' in r.stdout   # a line per batch
    assert 'shapes-gap @ features.3' in r.stdout and 'insertion' in r.stdout                         # the summary table
    header = (tmp_path/'r.csv').read_text().splitlines()[0].split(',')
    h = run('evaluate', '--help').stdout
    assert all(f'\n  {c} ' in h for c in header), h                                                   # --help explains every column

def test_import_from_the_folder_that_holds_the_clone(tmp_path):
    "Python started next to a clone named camteach: `import camteach` stops at once and says why (the repo's guard __init__.py)."
    clone = tmp_path/'camteach'; clone.mkdir()
    shutil.copy(Path(__file__).resolve().parent.parent/'__init__.py', clone/'__init__.py')
    (clone/'camteach').mkdir()                                  # the package folder inside the clone
    r = subprocess.run([sys.executable, '-c', 'import camteach'], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and 'ImportError' in r.stderr and 'the folder of the camteach clone, not the package inside it' in r.stderr, r.stderr
    r = subprocess.run([sys.executable, '-c', 'import camteach; print(camteach.__file__)'], cwd=clone, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr                          # inside the clone the package is found as usual
