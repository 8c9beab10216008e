package vagoth.testing;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

import vagoth.api.Names;
import vagoth.api.Node;
import vagoth.support.registry.Mutation;
import vagoth.support.registry.Mutations;
import vagoth.support.registry.RegistryState;
import vagoth.support.registry.StateRegistry;

/**
 * A registry in memory, for unit tests of what uses a registry: it keeps the
 * same rules as the file registry (the shared {@link Mutations}) and passes
 * the conformance suite, except what needs files or a second process.
 * {@link #shared} gives every caller naming the same place a view of one
 * registry, as opening one directory twice does.
 */
public final class MemoryRegistry extends StateRegistry {
    private static final Map<Path, MemoryRegistry> SHARED = new ConcurrentHashMap<>();

    private final RegistryState state = new RegistryState();
    private final Map<String, Map<String, byte[]>> blobs = new HashMap<>();
    private final ReadWriteLock lock = new ReentrantReadWriteLock();

    /** The registry kept under {@code place} in this JVM: the same one each time. */
    public static MemoryRegistry shared(Path place) {
        return SHARED.computeIfAbsent(place.toAbsolutePath().normalize(), p -> new MemoryRegistry());
    }

    @Override
    protected <T> T read(Function<RegistryState, T> query) {
        lock.readLock().lock();
        try {
            return query.apply(state);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    protected Node commit(Mutation m) {
        lock.writeLock().lock();
        try {
            Mutation.Change c = m.prepare(state);
            for (String id : c.deletes()) {
                state.remove(id);
                blobs.remove(id);
            }
            for (String id : c.created()) {
                blobs.remove(id);
            }
            c.puts().forEach(state::put);
            return c.result();
        } finally {
            lock.writeLock().unlock();
        }
    }











    @Override
    public Optional<byte[]> getBlob(String id, String blobName) {
        Names.requireSafe("blob name", blobName);
        return read(s -> {
            Mutations.exists(id).prepare(s);
            byte[] b = blobs.getOrDefault(id, Map.of()).get(blobName);
            return Optional.ofNullable(b == null ? null : b.clone());
        });
    }

    @Override
    public void putBlob(String id, String blobName, byte[] data) {
        Names.requireSafe("blob name", blobName);
        byte[] copy = Arrays.copyOf(data, data.length);
        lock.writeLock().lock();
        try {
            Mutations.exists(id).prepare(state);
            blobs.computeIfAbsent(id, x -> new HashMap<>()).put(blobName, copy);
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public boolean deleteBlob(String id, String blobName) {
        Names.requireSafe("blob name", blobName);
        lock.writeLock().lock();
        try {
            Mutations.exists(id).prepare(state);
            Map<String, byte[]> of = blobs.get(id);
            return of != null && of.remove(blobName) != null;
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public Set<String> listBlobs(String id) {
        return read(s -> {
            Mutations.exists(id).prepare(s);
            return new TreeSet<>(blobs.getOrDefault(id, Map.of()).keySet());
        });
    }
}
