"""A tiny kernel of the language "echo", for the UI tests of kernels that are not Python.

It prints back the code it is sent, and raises ``EchoError`` when a line of the code is ``fail``. Built on
ipykernel's wrapper-kernel base class; installed as a kernelspec for the test server only (ui-tests/lab-server.js).
"""
from ipykernel.kernelapp import IPKernelApp
from ipykernel.kernelbase import Kernel


class EchoKernel(Kernel):
    implementation = "echo-kernel"
    implementation_version = "1.0"
    language_info = {
        "name": "echo",
        "version": "1.0",
        "mimetype": "text/plain",
        "file_extension": ".txt",
    }
    banner = "Echo kernel: prints back what it is sent"

    def do_execute(self, code, silent, store_history=True, user_expressions=None, allow_stdin=False):
        if not silent:
            self.send_response(self.iopub_socket, "stream", {"name": "stdout", "text": code + "\n"})
        if any(line.strip() == "fail" for line in code.splitlines()):
            error = {"ename": "EchoError", "evalue": "asked to fail", "traceback": ["EchoError: asked to fail"]}
            if not silent:
                self.send_response(self.iopub_socket, "error", error)
            return {"status": "error", "execution_count": self.execution_count, **error}
        return {"status": "ok", "execution_count": self.execution_count, "payload": [], "user_expressions": {}}


if __name__ == "__main__":
    IPKernelApp.launch_instance(kernel_class=EchoKernel)
