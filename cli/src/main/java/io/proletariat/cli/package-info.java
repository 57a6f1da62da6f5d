/**
 * The {@code proletariat} command line (docs/cli.md): {@code manager}, {@code worker}, {@code push},
 * {@code status}, {@code sysmsg}, {@code bench} and {@code zookeeper} (a development ZooKeeper), one
 * picocli command class each, started by {@link io.proletariat.cli.Main}, the only public class.
 * Nothing here is API.
 *
 * <p>Threads: each command runs on the main thread and blocks until it is done; the libraries it uses
 * run their own I/O threads (see their packages). A worker's commands run as child processes, each
 * watched by a thread of {@code CommandRunner}.
 */
package io.proletariat.cli;
