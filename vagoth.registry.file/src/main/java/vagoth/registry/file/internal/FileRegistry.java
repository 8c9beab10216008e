package vagoth.registry.file.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;

import vagoth.api.Names;
import vagoth.api.Node;
import vagoth.api.registry.Registry;
import vagoth.api.registry.RegistryException;
import vagoth.api.ServiceUnavailableException;
import vagoth.support.io.FileIo;
import vagoth.support.io.StoreIdentity;
import vagoth.api.registry.VagothRegistry;
import vagoth.api.Installation;
import vagoth.api.telemetry.Telemetry;
import vagoth.support.registry.RegistryState;
import vagoth.support.registry.Mutation;
import vagoth.support.registry.StateRegistry;

/**
 * The embedded default {@link Registry}: durable, process-safe, indexed. See
 * {@link FileStore} for how it stores and shares nodes.
 */
@Component(service = Registry.class, configurationPid = FileRegistry.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@VagothRegistry("file")
@Designate(ocd = FileRegistryConfig.class)
public final class FileRegistry extends StateRegistry implements AutoCloseable {
    static final String PID = "vagoth.registry.file";
    /** Framework property naming the Vagoth home directory. */
    static final String HOME_PROPERTY = Installation.HOME_PROPERTY;

    private final FileIo io;
    private final Path directory;
    /** The home's record of this registry (null for one made without a home, in tests). */
    private final Path record;
    private final long compactMinBytes;
    private final BlobStore blobs;
    /** Null while the registry cannot be opened: every call tries again and reports why it cannot. */
    private volatile FileStore opened;
    private volatile boolean closed;

    @Activate
    public FileRegistry(FileRegistryConfig config, BundleContext context) {
        this(FileIo.REAL, directory(config, context), record(context), config.compact_min_bytes());
    }

    public FileRegistry(Path directory, long compactMinBytes) {
        this(FileIo.REAL, directory, compactMinBytes);
    }

    /** A registry whose file changes go through {@code io} (crash tests put a fault-injecting layer there). */
    public FileRegistry(FileIo io, Path directory, long compactMinBytes) {
        this.io = io;
        this.directory = directory;
        this.record = null;
        this.compactMinBytes = compactMinBytes;
        this.blobs = new BlobStore(io, directory.resolve("blobs"));
        this.opened = new FileStore(io, directory, compactMinBytes, blobs::clear, blobs::any);
    }

    /**
     * The component: a registry whose files are damaged or missing still
     * starts, and every call reports why it cannot be used (in one line an
     * operator can act on, not a component that silently failed to start);
     * once the files are restored, the next call opens them.
     */
    public FileRegistry(FileIo io, Path directory, Path record, long compactMinBytes) {
        this.io = io;
        this.directory = directory;
        this.record = record;
        this.compactMinBytes = compactMinBytes;
        this.blobs = new BlobStore(io, directory.resolve("blobs"));
        try {
            this.opened = new FileStore(io, directory, record, compactMinBytes, blobs::clear, blobs::any);
        } catch (RegistryException e) {
            // reported by the first call, to whoever made it
        }
    }

    @Override
    protected <T> T read(java.util.function.Function<RegistryState, T> query) {
        return store().read(query);
    }

    @Override
    protected Node commit(Mutation m) {
        return store().commit(m);
    }

    private FileStore store() {
        FileStore s = opened;
        if (s == null) {
            if (closed) {
                throw new ServiceUnavailableException("registry (this one was just closed)");
            }
            synchronized (this) {
                s = opened;
                if (s == null) {
                    s = new FileStore(io, directory, record, compactMinBytes, blobs::clear, blobs::any);
                    opened = s;
                }
            }
        }
        return s;
    }

    /** Where the home records its registry, so a lost one is refused, not replaced by an empty one. */
    private static Path record(BundleContext context) {
        String home = context.getProperty(HOME_PROPERTY);
        return home == null || home.isBlank() ? null : StoreIdentity.record(Path.of(home), "registry.file");
    }

    private static Path directory(FileRegistryConfig config, BundleContext context) {
        if (!config.directory().isBlank()) {
            return Path.of(config.directory());
        }
        String home = context.getProperty(HOME_PROPERTY);
        if (home == null || home.isBlank()) {
            throw new RegistryException("The file registry has no directory: configure " + PID
                    + " directory=... or set the " + HOME_PROPERTY + " property");
        }
        return Path.of(home, "var", "registry");
    }











    @Override
    public Optional<byte[]> getBlob(String id, String blobName) {
        Names.requireSafe("blob name", blobName);
        getNode(id);
        return io(() -> blobs.get(id, blobName));
    }

    @Override
    public void putBlob(String id, String blobName, byte[] data) {
        Names.requireSafe("blob name", blobName);
        store().underWriteLock(id, () -> {
            blobs.put(id, blobName, data);
            return null;
        });
    }

    @Override
    public boolean deleteBlob(String id, String blobName) {
        Names.requireSafe("blob name", blobName);
        return store().underWriteLock(id, () -> blobs.delete(id, blobName));
    }

    @Override
    public Set<String> listBlobs(String id) {
        getNode(id);
        return io(() -> blobs.list(id));
    }

    /** Writes a snapshot and starts a new log now (normally done as the log grows). */
    public void compact() {
        store().compactNow();
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindTelemetry(Telemetry t) {
        measureWith(t);
    }

    void unbindTelemetry(Telemetry t) {
        stopMeasuring(t);
    }

    @Deactivate
    @Override
    public void close() {
        closed = true;
        FileStore s = opened;
        if (s != null) {
            s.close();
        }
    }

    private static <T> T io(FileStore.IoWork<T> work) {
        try {
            return work.run();
        } catch (IOException e) {
            throw new RegistryException("Registry blob I/O failed: " + e.getMessage(), e);
        }
    }
}
