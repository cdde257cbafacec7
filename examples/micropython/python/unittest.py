# unittest: the small part of unittest that MicroPython's TLS tests use
# (written for this repository; micropython-lib is not in the source
# package). Prints the summary MicroPython's run-tests.py looks for:
#   ----------------------------------------------------------------------
#   Ran N tests
#
#   OK   |   FAILED (failures=F, errors=E)
import sys


class SkipTest(Exception):
    pass


class TestCase:
    def setUp(self):
        pass

    def tearDown(self):
        pass

    def skipTest(self, reason):
        raise SkipTest(reason)

    def fail(self, msg=None):
        raise AssertionError(msg or "fail")

    def assertTrue(self, x, msg=None):
        if not x:
            self.fail(msg or "%r is not true" % (x,))

    def assertFalse(self, x, msg=None):
        if x:
            self.fail(msg or "%r is not false" % (x,))

    def assertEqual(self, a, b, msg=None):
        if not a == b:
            self.fail(msg or "%r != %r" % (a, b))

    def assertNotEqual(self, a, b, msg=None):
        if a == b:
            self.fail(msg or "%r == %r" % (a, b))

    def assertIs(self, a, b, msg=None):
        if a is not b:
            self.fail(msg or "%r is not %r" % (a, b))

    def assertIsNone(self, x, msg=None):
        self.assertIs(x, None, msg)

    def assertIn(self, a, b, msg=None):
        if a not in b:
            self.fail(msg or "%r not in %r" % (a, b))

    def assertIsInstance(self, x, cls, msg=None):
        if not isinstance(x, cls):
            self.fail(msg or "%r is not an instance of %r" % (x, cls))

    def assertRaises(self, exc, func=None, *args, **kwargs):
        ctx = _Raises(self, exc)
        if func is None:
            return ctx
        with ctx:
            func(*args, **kwargs)


class _Raises:
    def __init__(self, case, exc):
        self.case = case
        self.expected = exc
        self.exception = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, tb):
        if exc_type is None:
            self.case.fail("%r not raised" % (self.expected,))
        if issubclass(exc_type, self.expected):
            self.exception = exc_value
            return True
        return False


def main(module="__main__"):
    if isinstance(module, str):
        mod = sys.modules.get(module) or __import__(module)
    else:
        mod = module
    ran = failures = errors = skipped = 0
    for name in dir(mod):
        cls = getattr(mod, name)
        if not (isinstance(cls, type) and issubclass(cls, TestCase) and cls is not TestCase):
            continue
        for meth in sorted(dir(cls)):
            if not meth.startswith("test"):
                continue
            case = cls()
            ran += 1
            try:
                case.setUp()
                try:
                    getattr(case, meth)()
                finally:
                    case.tearDown()
            except SkipTest as e:
                skipped += 1
                print("%s (%s.%s) ... skipped %s" % (meth, module, name, e))
            except AssertionError as e:
                failures += 1
                print("FAIL: %s (%s.%s): %s" % (meth, module, name, e))
            except Exception as e:
                errors += 1
                print("ERROR: %s (%s.%s): %r" % (meth, module, name, e))
                sys.print_exception(e)
    print("-" * 70)
    print("Ran %d tests" % ran)
    print()
    if failures or errors:
        print("FAILED (failures=%d, errors=%d)" % (failures, errors))
    elif skipped:
        print("OK (skipped=%d)" % skipped)
    else:
        print("OK")
