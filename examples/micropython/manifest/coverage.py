# Frozen modules of the unix "coverage" variant for the MicroPython tests:
# the variant's own frozen test data, plus our `ssl`, `ussl` and `unittest`.
freeze_as_str("$(PORT_DIR)/variants/coverage/frzstr")
freeze_as_mpy("$(PORT_DIR)/variants/coverage/frzmpy")
freeze_mpy("$(MPY_DIR)/tests/frozen")
module("ssl.py", base_path="../python")
module("unittest.py", base_path="../python")
module("ussl.py", base_path="../python")
