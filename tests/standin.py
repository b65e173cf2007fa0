"""A stand-in accelerator, so that device bugs show up on a machine without a GPU.

`to_standin(model)` moves a model's parameters and buffers onto a second device, and inside `with standin():`
tensors made with `device=` that device land there too. The data stay in CPU tensors underneath, so results can be
compared with a plain CPU run, but everything that would break on a real GPU breaks here as well:

- mixing a device tensor with a CPU tensor of one or more dimensions in one op raises, as CUDA does;
- `.numpy()` (and so `np.asarray`, matplotlib) on a device tensor raises, as it does for CUDA tensors;
- a factory call without `device=` makes a CPU tensor, which then fails the first rule;
- a CPU random generator used for device tensors raises.

The device is PyTorch's `meta` device type, wrapped: autograd needs a device type with stream support, and a real
CUDA type would initialise the (absent) driver. Code under test sees `x.device.type == 'meta'`, so code that
tests `is_cuda` is not exercised; camteach never does.
"""
import torch
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten, tree_map

DEVICE = torch.device('meta')

class OnDevice(torch.Tensor):
    "A tensor that reports `DEVICE` while its data live in the CPU tensor `elem`."
    @staticmethod
    def __new__(cls, elem):
        r = torch.Tensor._make_wrapper_subclass(cls, elem.shape, strides=elem.stride(), storage_offset=elem.storage_offset(),
                                                dtype=elem.dtype, layout=elem.layout, device=DEVICE, requires_grad=elem.requires_grad)
        r.elem = elem
        return r
    def __repr__(self): return f"OnDevice({self.elem!r})"
    def numpy(self, *a, **k): raise TypeError("can't convert a device tensor to numpy; use Tensor.cpu() first")
    @classmethod
    def __torch_dispatch__(cls, func, types, args=(), kwargs=None): return _run(func, args, kwargs or {})

def _on_device(d): return d is not None and torch.device(d).type == DEVICE.type

_CROSS_OK = {torch.ops.aten._to_copy.default, torch.ops.aten.copy_.default}   # the ops that move data between devices

def _run(func, args, kwargs):
    flat, _ = tree_flatten((args, kwargs))
    dev = [a for a in flat if isinstance(a, OnDevice)]
    cpu = [a for a in flat if isinstance(a, torch.Tensor) and not isinstance(a, OnDevice) and a.dim() > 0]
    if dev and cpu and func not in _CROSS_OK:
        raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, {DEVICE} and cpu ({func})")
    want = kwargs.get('device')
    to_dev = _on_device(want) or (bool(dev) and want is None)
    if _on_device(want): kwargs = {**kwargs, 'device': torch.device('cpu')}
    g = kwargs.get('generator')
    if to_dev and g is not None: raise RuntimeError(f"Expected a '{DEVICE.type}' device type for generator but found 'cpu'")
    out = func(*tree_map(lambda a: a.elem if isinstance(a, OnDevice) else a, args),
               **tree_map(lambda a: a.elem if isinstance(a, OnDevice) else a, kwargs))
    if func.overloadpacket.__name__.endswith('_') and dev and isinstance(args[0], OnDevice): return args[0]  # in place
    if 'out' in kwargs: return kwargs['out']
    return tree_map(lambda o: OnDevice(o) if isinstance(o, torch.Tensor) else o, out) if to_dev else out

class _FromData(TorchFunctionMode):
    "`torch.tensor`, `as_tensor` and `asarray` read Python data before dispatch, so they are redirected here."
    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func in (torch.tensor, torch.as_tensor, torch.asarray) and _on_device(kwargs.get('device')):
            data = args[0] if args else kwargs.get('data')
            if isinstance(data, OnDevice): return func(*args, **kwargs)
            return OnDevice(func(*args, **{**kwargs, 'device': 'cpu'}))
        return func(*args, **kwargs)

class standin(TorchDispatchMode):
    "Context in which factory calls with `device=DEVICE` make `OnDevice` tensors."
    def __enter__(self):
        self._fn = _FromData(); self._fn.__enter__()
        return super().__enter__()
    def __exit__(self, *exc):
        r = super().__exit__(*exc)
        self._fn.__exit__(*exc)
        return r
    def __torch_dispatch__(self, func, types, args=(), kwargs=None): return _run(func, args, kwargs or {})

def to_standin(model):
    "Move `model`'s parameters and buffers onto `DEVICE`, in place, keeping `requires_grad`; returns `model`."
    for m in model.modules():
        for k, p in list(m._parameters.items()):
            if p is not None: m._parameters[k] = torch.nn.Parameter(OnDevice(p.detach().clone()), requires_grad=p.requires_grad)
        for k, b in list(m._buffers.items()):
            if b is not None: m._buffers[k] = OnDevice(b.clone())
    return model

def on(x): return OnDevice(x.detach().clone()) if isinstance(x, torch.Tensor) else x
