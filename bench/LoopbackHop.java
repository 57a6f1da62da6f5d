import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;

/**
 * The floor under one work in flight (issue 13, point 4): the round trip of a small frame between
 * two threads over loopback TCP (TCP_NODELAY, blocking sockets), i.e. two of the four hops a lone
 * work needs (client → manager → worker → manager → client). A single-file program:
 * {@code java bench/LoopbackHop.java [ROUND_TRIPS]}.
 */
public final class LoopbackHop {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        byte[] frame = new byte[64];
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread echo = new Thread(() -> {
                try (Socket s = server.accept()) {
                    s.setTcpNoDelay(true);
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    DataOutputStream out = new DataOutputStream(s.getOutputStream());
                    byte[] buf = new byte[frame.length];
                    while (true) {
                        in.readFully(buf);
                        out.write(buf);
                    }
                } catch (Exception e) {
                    // the measuring side closed
                }
            });
            echo.setDaemon(true);
            echo.start();
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                s.setTcpNoDelay(true);
                DataInputStream in = new DataInputStream(s.getInputStream());
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                long[] nanos = new long[n];
                for (int i = -n / 10; i < n; i++) { // a tenth unmeasured first, for the JIT
                    long t0 = System.nanoTime();
                    out.write(frame);
                    in.readFully(frame);
                    if (i >= 0) {
                        nanos[i] = System.nanoTime() - t0;
                    }
                }
                Arrays.sort(nanos);
                System.out.printf("loopback round trip (2 hops), %d samples: p50 %.1f µs, p99 %.1f µs, p99.9 %.1f µs%n",
                        n, nanos[n / 2] / 1e3, nanos[(int) (n * 0.99)] / 1e3, nanos[(int) (n * 0.999)] / 1e3);
            }
        }
    }
}
