"The benchmark script runs end to end (smoke mode) and its agreement checks with pytorch-grad-cam and torchcam pass."
import subprocess, sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent/'bench'/'bench_cams.py'

def test_bench_quick_runs_and_agrees(tmp_path):
    out = tmp_path/'report.txt'
    r = subprocess.run([sys.executable, str(BENCH), '--quick', '--out', str(out)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    rep = out.read_text()
    for k in ('floor: forward + autograd.grad', 'camteach explain(gradcam, layercam, hybrid)', 'pytorch-grad-cam GradCAM', 'torchcam LayerCAM'):
        assert k in rep, k
    passes = [l for l in rep.splitlines() if l.startswith('PASS')]
    assert len(passes) == 5 and 'FAIL' not in rep, rep
