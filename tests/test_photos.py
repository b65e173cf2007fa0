"End-to-end: `camteach explain` on a shipped photo, offline, as a user runs it (needs the sub-command wired into camteach.cli)."
import shutil, subprocess, sys
from pathlib import Path

IMAGES = Path(__file__).resolve().parent.parent/'images'

def run(*args):
    exe = shutil.which('camteach') or sys.exit('camteach console script is not installed')
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=600)

def test_explain_prints_top5_and_writes_png(tmp_path):
    out = tmp_path/'fig'/'coffee.png'
    r = run('explain', str(IMAGES/'coffee.jpg'), '--out', str(out))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith('top-5 for') and 'espresso (967)' in lines[1] and len([l for l in lines if l.startswith('  0.')]) == 5
    assert out.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n' and str(out) in r.stdout

def test_explain_class_and_layer(tmp_path):
    out = tmp_path/'cat.png'
    r = run('explain', str(IMAGES/'chelsea.jpg'), '--class', 'tiger cat', '--layer', 'blocks.4', '--methods', 'gradcam', 'layercam', '--out', str(out))
    assert r.returncode == 0, r.stderr
    assert "explained class 'tiger cat' (282" in r.stdout and out.exists()

def test_explain_bad_input_gets_one_line(tmp_path):
    out = tmp_path/'x.png'
    (tmp_path/'bad.jpg').write_text('not an image')
    for args, msg in [((str(tmp_path/'nope.jpg'),), 'no image file at'), ((str(tmp_path/'bad.jpg'),), 'cannot read'),
                      ((str(IMAGES/'coffee.jpg'), '--class', 'expresso'), 'closest: espresso'),
                      ((str(IMAGES/'coffee.jpg'), '--layer', 'layer4'), 'layers that work: conv_stem, bn1, blocks.0')]:
        r = run('explain', *args, '--out', str(out))
        assert r.returncode == 2 and msg in r.stderr, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1 and 'Traceback' not in r.stderr
    assert not out.exists()

def test_explain_on_a_scikit_image_photo(tmp_path):
    "scikit-image's photos ship offline with a dependency of the course: saved to a file, `camera` is a tripod."
    import numpy as np, skimage.data
    from PIL import Image
    src = tmp_path/'camera.png'
    Image.fromarray(np.asarray(skimage.data.camera())).save(src)        # greyscale; the loader makes it RGB
    out = tmp_path/'camera_maps.png'
    r = run('explain', str(src), '--methods', 'gradcam', '--out', str(out))
    assert r.returncode == 0, r.stderr
    assert 'tripod (872)' in r.stdout.splitlines()[1] and out.exists()
