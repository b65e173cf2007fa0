__version__ = "0.1.0"
__all__ = []

# %% ../nbs/09_explain.ipynb #869a3472
from .core import explain, METHODS

# %% ../nbs/09_explain.ipynb #3bff21af
from .core import explain, METHODS

# %% ../nbs/09_explain.ipynb #1bbced84
from .core import explain, METHODS

# %% ../nbs/09_explain.ipynb #15ce778a
from .core import explain, METHODS

# %% ../nbs/09_explain.ipynb #ffa3bb53
from .core import explain, METHODS

# %% ../nbs/09_explain.ipynb #ea22b567
from .core import explain, METHODS

# %% ../nbs/09_explain.ipynb #04ab5ff4
from .core import explain, METHODS