import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;

/** Serves the MongoDB wire protocol on 127.0.0.1 from an H2 file; usage: PORT H2_FILE. */
public class MongoLauncher {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        MongoServer server = new MongoServer(new H2Backend(args[1]).version(ServerVersion.MONGO_5_0));
        // SIGTERM runs shutdown hooks: closing the server flushes and closes the H2 file.
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown, "mongo-shutdown"));
        server.bind("127.0.0.1", port);
        System.out.println("mongo-java-server listening on 127.0.0.1:" + port + " with " + args[1]);
        Thread.currentThread().join();
    }
}
