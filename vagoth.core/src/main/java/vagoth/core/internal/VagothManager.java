package vagoth.core.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.nio.file.Path;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

import vagoth.api.ManagedNode;
import vagoth.api.Manager;
import vagoth.api.Node;
import vagoth.api.NodeQuery;
import vagoth.api.nodetype.NodeType;
import vagoth.api.provision.Provisioner;
import vagoth.api.registry.Registry;
import vagoth.api.UnknownNodeTypeException;
import vagoth.api.action.Action;
import vagoth.api.action.ActionContext;
import vagoth.api.job.JobQuery;
import vagoth.api.job.JobState;
import vagoth.api.job.JobStore;
import vagoth.api.scheduler.Scheduler;
import vagoth.api.job.Transaction;
import vagoth.api.action.UnknownActionException;
import vagoth.support.bind.Current;
import vagoth.support.bind.FollowingRegistry;
import vagoth.support.whiteboard.Whiteboard;
import vagoth.api.Installation;
import vagoth.api.Selection;

/**
 * The {@link Manager}: the front door for operators and the API. It runs
 * actions (in transactions, claiming their node) and wraps nodes in their
 * types' APIs; it hands out the registry, scheduler, provisioner and job store
 * selected by configuration ({@code registry.target}... in
 * {@value Selection.PID}) or ranking, as the original's
 * {@code manager.registry} did. Plugins reference those services themselves.
 * During a swap a call waits up to {@code swap.grace.ms} for the next one; a
 * call made while one is missing fails naming what is missing.
 */
@Component(service = Manager.class, configurationPid = Selection.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = ManagerConfig.class)
public final class VagothManager implements Manager {
    private volatile String source;
    private final Transactions transactions = new Transactions();
    private final Whiteboard<NodeType> nodeTypes = new Whiteboard<>(NodeType.TYPE);
    private final Whiteboard<Action> actions = new Whiteboard<>(Action.NAME);
    private final ActionLog log = new ActionLog();

    private final FollowingRegistry registry;
    private final Current<Scheduler> scheduler;
    private final Current<Provisioner> provisioner;
    private final Current<JobStore> jobs;
    private final NodeClaims claims;

    @Activate
    public VagothManager(ManagerConfig config, BundleContext context) {
        this(config.source(), config.swap_grace_ms(), claimsDir(context.getProperty(Installation.HOME_PROPERTY)));
    }

    /**
     * The manager without a framework (benchmarks, embedding): its services
     * are handed over with the same bind methods the framework calls.
     *
     * @param claimsDir where node actions claim their nodes across processes
     *                  (null: within this manager only)
     */
    public VagothManager(String source, long graceMs, Path claimsDir) {
        this.source = sourceOrUser(source);
        this.registry = new FollowingRegistry(graceMs);
        this.scheduler = new Current<>("scheduler", graceMs);
        this.provisioner = new Current<>("provisioner", graceMs);
        this.jobs = new Current<>("job store", graceMs);
        this.claims = new NodeClaims(claimsDir);
    }

    private static Path claimsDir(String home) {
        return home == null || home.isBlank() ? null : Path.of(home, "var", "claims");
    }

    private static String sourceOrUser(String source) {
        return source.isBlank() ? System.getProperty("user.name", "unknown") : source;
    }

    /**
     * A configuration change is taken in place: changed targets (which
     * registry, scheduler...) rebind the references without recreating the
     * manager, so callers holding it keep a working one.
     */
    @Modified
    void modified(ManagerConfig config) {
        this.source = sourceOrUser(config.source());
        registry.grace(config.swap_grace_ms());
        for (Current<?> c : List.of(scheduler, provisioner, jobs)) {
            c.grace(config.swap_grace_ms());
        }
    }

    @Reference(name = Selection.REGISTRY, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    public void bindRegistry(Registry r) {
        registry.bind(r);
    }

    void unbindRegistry(Registry r) {
        registry.unbind(r);
    }

    @Reference(name = Selection.SCHEDULER, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    public void bindScheduler(Scheduler s) {
        scheduler.bind(s);
    }

    void unbindScheduler(Scheduler s) {
        scheduler.unbind(s);
    }

    @Reference(name = Selection.PROVISIONER, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    public void bindProvisioner(Provisioner p) {
        provisioner.bind(p);
    }

    void unbindProvisioner(Provisioner p) {
        provisioner.unbind(p);
    }

    @Reference(name = Selection.JOBS, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    public void bindJobs(JobStore s) {
        jobs.bind(s);
    }

    void unbindJobs(JobStore s) {
        jobs.unbind(s);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addNodeType(NodeType type, Map<String, Object> props) {
        nodeTypes.add(type, props);
    }

    void removeNodeType(NodeType type, Map<String, Object> props) {
        nodeTypes.remove(type, props);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addAction(Action action, Map<String, Object> props) {
        actions.add(action, props);
    }

    void removeAction(Action action, Map<String, Object> props) {
        actions.remove(action, props);
    }

    @Override
    public JobStore jobs() {
        return jobs.get();
    }

    @Override
    public Registry registry() {
        return registry.require();
    }

    @Override
    public Scheduler scheduler() {
        return scheduler.get();
    }

    @Override
    public Provisioner provisioner() {
        return new KnownTypesOnly(provisioner.get(), nodeTypes);
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
        NodeType type = nodeTypes.get(node.type())
                .orElseThrow(() -> new UnknownNodeTypeException(node.type(), node.id(), nodeTypes.names()));
        return type.wrap(this, node);
    }

    @Override
    public Object action(String name, Map<String, String> args) {
        Action action = actions.get(name).orElseThrow(() -> new UnknownActionException(name, actions.names()));
        return claims.claimed(args.get(Action.NODE_ARG), () -> transactions.inTransaction(source, () -> {
            Transaction tx = transactions.current().orElseThrow();
            log.started(tx, name, args);
            return action.run(new ActionContext(this, tx, name), args);
        }));
    }

    /**
     * Runs {@code work} unless an action on the node runs now: in a process
     * of this home (its claim), or, on a job store shared by several daemons,
     * in any daemon (a running job of the node's queue).
     */
    @Override
    public boolean ifNodeIdle(String nodeId, Runnable work) {
        JobStore shared = jobs.now().filter(JobStore::shared).orElse(null);
        if (shared != null && !shared.list(new JobQuery(JobState.RUNNING, nodeId, null, 1)).isEmpty()) {
            return false;
        }
        return claims.ifFree(nodeId, work);
    }

    @Override
    public Set<String> nodeTypes() {
        return nodeTypes.names();
    }

    @Override
    public Set<String> actions() {
        return actions.names();
    }

    @Override
    public Optional<Transaction> currentTransaction() {
        return transactions.current();
    }

    @Override
    public <T> T inTransaction(Supplier<T> work) {
        return transactions.inTransaction(source, work);
    }

    @Override
    public <T> T inTransaction(String txSource, Supplier<T> work) {
        return transactions.inTransaction(txSource, work);
    }

    @Override
    public <T> T inTransaction(Transaction transaction, Supplier<T> work) {
        return transactions.inTransaction(transaction, work);
    }
}
