package io.actorkv.reliability;

import java.util.ArrayList;
import java.util.List;

/** A workload's client threads: each repeats its step, with a sequence number of its own, until stopped. */
final class ClientThreads {

  interface Step {
    void run(int client, long seq);
  }

  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running;

  void start(String name, int clients, Step step) {
    running = true;
    for (int c = 0; c < clients; c++) {
      int client = c;
      Thread t = new Thread(() -> {
        long seq = 0;
        while (running) step.run(client, seq++);
      }, name + "-" + c);
      t.start();
      threads.add(t);
    }
  }

  /** Starts no further step, and waits for the steps under way to end. */
  void stop() throws InterruptedException {
    running = false;
    for (Thread t : threads) t.join();
    threads.clear();
  }

  /** As {@link #stop}, interrupting the steps under way first. */
  void interruptAndStop() throws InterruptedException {
    running = false;
    threads.forEach(Thread::interrupt);
    stop();
  }
}
