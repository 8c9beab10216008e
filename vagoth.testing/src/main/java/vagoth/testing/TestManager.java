package vagoth.testing;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import vagoth.api.ManagedNode;
import vagoth.api.Manager;
import vagoth.api.Node;
import vagoth.api.NodeQuery;
import vagoth.api.ServiceUnavailableException;
import vagoth.api.UnknownNodeTypeException;
import vagoth.api.action.Action;
import vagoth.api.action.ActionContext;
import vagoth.api.action.UnknownActionException;
import vagoth.api.job.JobStore;
import vagoth.api.job.Transaction;
import vagoth.api.nodetype.NodeType;
import vagoth.api.provision.Provisioner;
import vagoth.api.registry.Registry;
import vagoth.api.scheduler.Scheduler;

/**
 * A front door for unit tests of a plugin: the node types, actions and
 * services a test gives it, and nothing else. It keeps the contract a plugin
 * relies on (transactions nest, an action on a node makes that node busy for
 * {@link #ifNodeIdle}, unknown names fail as the real manager's do) without
 * the real manager's selection, logging or cross-process claims.
 */
public final class TestManager implements Manager {
    private final String source;
    private final Map<String, NodeType> nodeTypes = new ConcurrentHashMap<>();
    private final Map<String, Action> actions = new ConcurrentHashMap<>();
    private final Set<String> busy = ConcurrentHashMap.newKeySet();
    private volatile Registry registry;
    private volatile Scheduler scheduler;
    private volatile Provisioner provisioner;
    private volatile JobStore jobs;

    public TestManager(String source, Registry registry) {
        this.source = source;
        this.registry = registry;
    }

    public TestManager nodeType(String type, NodeType handler) {
        nodeTypes.put(type, handler);
        return this;
    }

    public TestManager action(String name, Action action) {
        actions.put(name, action);
        return this;
    }

    public TestManager scheduler(Scheduler s) {
        this.scheduler = s;
        return this;
    }

    public TestManager provisioner(Provisioner p) {
        this.provisioner = p;
        return this;
    }

    public TestManager jobs(JobStore s) {
        this.jobs = s;
        return this;
    }

    private static <S> S present(S service, String what) {
        if (service == null) {
            throw new ServiceUnavailableException(what);
        }
        return service;
    }

    @Override
    public Registry registry() {
        return present(registry, "registry");
    }

    @Override
    public Scheduler scheduler() {
        return present(scheduler, "scheduler");
    }

    @Override
    public Provisioner provisioner() {
        return present(provisioner, "provisioner");
    }

    @Override
    public JobStore jobs() {
        return present(jobs, "job store");
    }

    @Override
    public ManagedNode getNode(String id) {
        return wrap(registry().getNode(id));
    }

    @Override
    public ManagedNode getNodeByName(String name) {
        return wrap(registry().getNodeByName(name));
    }

    @Override
    public ManagedNode getNodeByKey(String key) {
        return wrap(registry().getNodeByKey(key));
    }

    @Override
    public List<ManagedNode> getNodes(NodeQuery query) {
        return registry().getNodes(query).stream().map(this::wrap).toList();
    }

    @Override
    public List<String> listNodes() {
        return registry().getNodes(NodeQuery.all()).stream().map(Node::id).toList();
    }

    private ManagedNode wrap(Node node) {
        NodeType type = nodeTypes.get(node.type());
        if (type == null) {
            throw new UnknownNodeTypeException(node.type(), node.id(), nodeTypes());
        }
        return type.wrap(this, node);
    }

    @Override
    public Object action(String name, Map<String, String> args) {
        Action action = actions.get(name);
        if (action == null) {
            throw new UnknownActionException(name, actions());
        }
        String node = args.get(Action.NODE_ARG);
        boolean claimed = node != null && busy.add(node);
        try {
            return inTransaction(() -> action.run(new ActionContext(this, Transaction.current().orElse(null), name), args));
        } finally {
            if (claimed) {
                busy.remove(node);
            }
        }
    }

    @Override
    public boolean ifNodeIdle(String nodeId, Runnable work) {
        if (!busy.add(nodeId)) {
            return false;
        }
        try {
            work.run();
            return true;
        } finally {
            busy.remove(nodeId);
        }
    }

    @Override
    public Set<String> nodeTypes() {
        return new TreeSet<>(nodeTypes.keySet());
    }

    @Override
    public Set<String> actions() {
        return new TreeSet<>(actions.keySet());
    }

    @Override
    public Optional<Transaction> currentTransaction() {
        return Transaction.current();
    }

    @Override
    public <T> T inTransaction(Supplier<T> work) {
        return inTransaction(source, work);
    }

    @Override
    public <T> T inTransaction(String txSource, Supplier<T> work) {
        return Transaction.current().isPresent() ? work.get() : inTransaction(Transaction.begin(txSource), work);
    }

    @Override
    public <T> T inTransaction(Transaction transaction, Supplier<T> work) {
        return Transaction.within(transaction, work);
    }
}
