package vagoth.support.faults;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import vagoth.support.io.FileIo;

/**
 * A file layer for crash tests that knows what a power loss would keep: the
 * data of a file as of its last {@code force}, and the entries of a directory
 * (files created, renamed, deleted; sub-directories made) as of its last
 * {@link #syncDirectory}. {@link #powerLoss()} puts the files under its root
 * back to exactly that and cuts off every channel it handed out, as a machine
 * that lost power would. Modelled on SQLite's crash-test VFS and RocksDB's
 * fault-injection file system; a store whose acknowledged writes survive
 * {@code powerLoss()} syncs everything it must.
 *
 * <p>Directory changes made since a directory's last sync survive a power
 * loss each by chance (a seeded coin per change; a rename is one change, all
 * or nothing), as they may on a real disk, which is free to write them in
 * any order. {@link #crashAtSync(int)} loses power in the middle of a run,
 * just before a chosen sync takes effect, so a test can try every point.
 *
 * <p>Everything under the root when the layer is made counts as durable.
 * Every change under the root must go through the layer.
 */
public final class FaultInjectingFileIo implements FileIo {
    private static final Object DIRECTORY = new Object();

    private final Path root;
    /** What a file holds durably: its content as of its last force. Renames move it with the file. */
    private static final class Inode {
        byte[] synced;

        Inode(byte[] synced) {
            this.synced = synced;
        }
    }

    // guarded by this
    private final Map<Path, Inode> live = new HashMap<>();
    private final Set<Path> liveDirs = new LinkedHashSet<>();
    /** Per directory, its entries as of its last sync: an Inode for a file, DIRECTORY for a directory. */
    private final Map<Path, Map<String, Object>> durable = new HashMap<>();
    /** Per directory, the changes made since its last sync, in order. */
    private final Map<Path, List<Change>> unsynced = new HashMap<>();
    private final List<Tracked> channels = new ArrayList<>();
    private final Random coin;
    private boolean lost;
    private int syncs;
    private int crashAt = -1;

    /** A change to a directory's entries: {@code name} becomes {@code value} (null: removed), {@code from} removed. */
    private record Change(String name, Object value, String from) {
    }

    /** A layer whose unsynced directory changes all vanish at a power loss. */
    public FaultInjectingFileIo(Path root) throws IOException {
        this(root, null);
    }

    /** A layer whose unsynced directory changes each survive a power loss by a coin from {@code coin}. */
    public FaultInjectingFileIo(Path root, Random coin) throws IOException {
        this.coin = coin;
        this.root = root.toAbsolutePath().normalize();
        Files.createDirectories(this.root);
        try (Stream<Path> all = Files.walk(this.root)) {
            for (Path p : all.toList()) {
                if (Files.isDirectory(p)) {
                    liveDirs.add(p);
                    durable.computeIfAbsent(p, d -> new HashMap<>());
                } else {
                    live.put(p, new Inode(Files.readAllBytes(p)));
                }
                if (!p.equals(this.root)) {
                    durable.computeIfAbsent(p.getParent(), d -> new HashMap<>()).put(name(p),
                            Files.isDirectory(p) ? DIRECTORY : live.get(p));
                }
            }
        }
    }

    /** How many syncs (file forces and directory syncs) went through the layer. */
    public synchronized int syncs() {
        return syncs;
    }

    /** Loses power when sync number {@code n} (counting from 1) is asked for: that sync and all after fail. */
    public synchronized void crashAtSync(int n) {
        crashAt = n;
    }

    /** Whether the power was lost. */
    public synchronized boolean lost() {
        return lost;
    }

    /** Counts a sync, or loses power here when this is the chosen one. */
    private void sync() throws IOException {
        if (lost) {
            throw new IOException("fault layer: the power is off");
        }
        if (++syncs == crashAt) {
            powerLoss();
            throw new IOException("fault layer: the power was lost during this sync");
        }
    }

    private void changed(Path entry, Object value, Path from) {
        unsynced.computeIfAbsent(entry.getParent(), d -> new ArrayList<>())
                .add(new Change(name(entry), value, from == null ? null : name(from)));
    }

    @Override
    public synchronized FileChannel open(Path path, OpenOption... options) throws IOException {
        Path p = check(path);
        Set<OpenOption> opts = new LinkedHashSet<>(Arrays.asList(options));
        boolean writes = opts.contains(StandardOpenOption.WRITE) || opts.contains(StandardOpenOption.APPEND);
        Inode inode = live.get(p);
        if (inode == null && writes) {
            if (Files.exists(p)) {
                throw new IOException("fault layer: " + p + " was created outside the layer");
            }
            inode = new Inode(new byte[0]);
        }
        if (writes && !opts.contains(StandardOpenOption.APPEND)) {
            opts.add(StandardOpenOption.READ); // to read back what a force makes durable
        }
        FileChannel real = FileChannel.open(p, opts);
        if (inode != null && live.put(p, inode) == null) {
            changed(p, inode, null);
        }
        Tracked t = new Tracked(real, inode);
        channels.add(t);
        return t;
    }

    @Override
    public synchronized void move(Path from, Path to) throws IOException {
        Path f = check(from);
        Path t = check(to);
        if (!f.getParent().equals(t.getParent())) {
            throw new IOException("fault layer: renames across directories are not modelled");
        }
        FileIo.REAL.move(f, t);
        Inode inode = live.remove(f);
        if (inode == null) {
            throw new IOException("fault layer: " + f + " was created outside the layer");
        }
        live.put(t, inode);
        changed(t, inode, f);
    }

    @Override
    public synchronized boolean deleteIfExists(Path path) throws IOException {
        Path p = check(path);
        boolean had = Files.deleteIfExists(p);
        live.remove(p);
        liveDirs.remove(p);
        if (had) {
            changed(p, null, null);
        }
        return had;
    }

    @Override
    public synchronized void createDirectories(Path dir) throws IOException {
        Path d = check(dir);
        Files.createDirectories(d);
        for (Path p = d; p.startsWith(root) && !p.equals(root); p = p.getParent()) {
            if (liveDirs.add(p)) {
                changed(p, DIRECTORY, null);
            }
        }
    }

    @Override
    public synchronized void syncDirectory(Path dir) throws IOException {
        Path d = check(dir);
        sync();
        FileIo.REAL.syncDirectory(d);
        Map<String, Object> entries = new HashMap<>();
        live.forEach((p, inode) -> {
            if (p.getParent().equals(d)) {
                entries.put(name(p), inode);
            }
        });
        for (Path sub : liveDirs) {
            if (!sub.equals(d) && sub.getParent().equals(d)) {
                entries.put(name(sub), DIRECTORY);
            }
        }
        durable.put(d, entries);
        unsynced.remove(d);
    }

    /**
     * Loses power: every channel handed out stops working, and the files under
     * the root become what was synced. The layer is unusable afterwards; open
     * the store again on the real file system (or a new layer) to recover.
     */
    public synchronized void powerLoss() throws IOException {
        lost = true;
        for (Tracked t : channels) {
            t.real.close();
        }
        restore(root);
    }

    private void restore(Path dir) throws IOException {
        Map<String, Object> keep = new HashMap<>(durable.getOrDefault(dir, Map.of()));
        for (Change c : unsynced.getOrDefault(dir, List.of())) {
            if (coin != null && coin.nextBoolean()) {
                if (c.from() != null) {
                    keep.remove(c.from());
                }
                if (c.value() == null) {
                    keep.remove(c.name());
                } else {
                    keep.put(c.name(), c.value());
                }
            }
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (!keep.containsKey(name(p))) {
                    deleteTree(p);
                }
            }
        }
        for (Map.Entry<String, Object> e : keep.entrySet()) {
            Path p = dir.resolve(e.getKey());
            if (e.getValue() == DIRECTORY) {
                Files.createDirectories(p);
                restore(p);
            } else {
                if (Files.isDirectory(p)) {
                    deleteTree(p);
                }
                Files.write(p, ((Inode) e.getValue()).synced);
            }
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }

    private Path check(Path path) throws IOException {
        if (lost) {
            throw new IOException("fault layer: the power is off");
        }
        Path p = path.toAbsolutePath().normalize();
        if (!p.startsWith(root)) {
            throw new IOException("fault layer: " + p + " is outside " + root);
        }
        return p;
    }

    private static String name(Path p) {
        return p.getFileName().toString();
    }

    private synchronized void forced(Tracked t) throws IOException {
        sync();
        if (t.inode != null) {
            long size = t.real.size();
            ByteBuffer buf = ByteBuffer.allocate((int) size);
            long pos = 0;
            while (buf.hasRemaining()) {
                int n = t.real.read(buf, pos);
                if (n < 0) {
                    break;
                }
                pos += n;
            }
            t.inode.synced = Arrays.copyOf(buf.array(), buf.position());
        }
    }

    /** A channel whose {@code force} is what makes its data survive {@link #powerLoss()}. */
    private final class Tracked extends FileChannel {
        final FileChannel real;
        final Inode inode;

        Tracked(FileChannel real, Inode inode) {
            this.real = real;
            this.inode = inode;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return real.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return real.read(dsts, offset, length);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return real.write(src);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            return real.write(srcs, offset, length);
        }

        @Override
        public long position() throws IOException {
            return real.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            real.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return real.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            real.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            forced(this);
            real.force(metaData);
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return real.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            return real.transferFrom(src, position, count);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return real.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            return real.write(src, position);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            throw new IOException("fault layer: memory-mapped files are not modelled");
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return real.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return real.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            real.close();
        }
    }
}
