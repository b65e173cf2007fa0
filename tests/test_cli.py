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
