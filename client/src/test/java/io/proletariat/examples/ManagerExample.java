package io.proletariat.examples;

import io.proletariat.manager.Manager;
import io.proletariat.manager.ManagerListener;
import io.proletariat.manager.ManagerOptions;
import io.proletariat.manager.SystemMessage;

/** The original README's "making your own manager daemon", in Java. */
public final class ManagerExample {
    private ManagerExample() {
    }

    public static Manager start(int port) {
        Manager manager = new Manager(ManagerOptions.builder().port(port).bindAddress("127.0.0.1").build());
        manager.addListener(new ManagerListener() {
            @Override
            public void sysmsg(SystemMessage msg) {
                System.out.println("System message: " + msg.content());
            }
        });
        // Start
        return manager.start();
    }
}
