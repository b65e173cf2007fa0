"The benchmark script runs end to end (smoke mode) on both networks and its agreement checks with pytorch-grad-cam and torchcam pass."
import subprocess, sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent/'bench'/'bench_cams.py'

def test_bench_quick_runs_and_agrees(tmp_path):
    out = tmp_path/'report.txt'
    r = subprocess.run([sys.executable, str(BENCH), '--quick', '--out', str(out)], capture_output=True, text=True, timeout=1500)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    rep = out.read_text()
    for k in ('floor: forward + autograd.grad', 'camteach explain(gradcam, layercam, hybrid)', 'pytorch-grad-cam GradCAM', 'torchcam LayerCAM'):
        assert rep.count(k) >= 2, k                                      # once per network
    assert '## resnet18 (random weights), batch 1, layer layer4.1' in rep
    assert '## efficientnet-lite0 (trained ImageNet weights, the course photos), batch 1, layer bn2' in rep
    assert '## efficientnet-lite0 (trained ImageNet weights, the course photos), batch 1, layer blocks.4' in rep
    assert 'peak MiB is nan in this report: memory was not measured (--quick skips' in rep   # nan is explained, not left bare
    passes = [l for l in rep.splitlines() if l.startswith('PASS')]
    assert len(passes) == 10 and 'FAIL' not in rep, rep                  # 5 agreement checks per network
