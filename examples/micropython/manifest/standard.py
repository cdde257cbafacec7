# Frozen modules of the unix "standard" variant for the MicroPython tests
# (.ci/micropython-tests): MicroPython's asyncio plus our own `ssl` wrapper
# and legacy `ussl` modules and a minimal `unittest` (micropython-lib is
# not in the source package).
include("$(MPY_DIR)/extmod/asyncio")
module("ssl.py", base_path="../python")
module("unittest.py", base_path="../python")
module("ussl.py", base_path="../python")
