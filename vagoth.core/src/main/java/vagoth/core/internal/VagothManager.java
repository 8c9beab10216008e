package vagoth.core.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
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
import vagoth.api.NodeType;
import vagoth.api.Provisioner;
import vagoth.api.Registry;
import vagoth.api.UnknownNodeTypeException;
import vagoth.api.job.Action;
import vagoth.api.job.ActionContext;
import vagoth.api.job.JobStore;
import vagoth.api.job.Scheduler;
import vagoth.api.job.Transaction;
import vagoth.api.job.UnknownActionException;
import vagoth.support.whiteboard.Whiteboard;
import vagoth.api.Installation;

/**
 * The {@link Manager}. The registry, scheduler and provisioner are dynamic so
 * an operator can swap them in a running container; which one is used is
 * configuration ({@code registry.target}...) or, failing that, the highest
 * ranking. A call made while one is missing fails naming what is missing.
 */
@Component(service = Manager.class, configurationPid = VagothManager.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = ManagerConfig.class)
public final class VagothManager implements Manager {
    static final String PID = "vagoth.manager";

    private volatile String source;
    private final Transactions transactions = new Transactions();
    private final Whiteboard<NodeType> nodeTypes = new Whiteboard<>(NodeType.TYPE);
    private final Whiteboard<Action> actions = new Whiteboard<>(Action.NAME);
    private final ActionLog log = new ActionLog();

    private final LazyService<Registry> registry;
    private final Registry registryFacade;
    private final LazyService<Scheduler> scheduler;
    private final LazyService<Provisioner> provisioner;
    private final LazyService<JobStore> jobs;
    private final NodeClaims claims;

    @Activate
    public VagothManager(ManagerConfig config, BundleContext context) {
        this.source = config.source().isBlank() ? System.getProperty("user.name", "unknown") : config.source();
        this.registry = new LazyService<>("registry", context, config.swap_grace_ms());
        this.registryFacade = new RegistryFacade(registry);
        this.scheduler = new LazyService<>("scheduler", context, config.swap_grace_ms());
        this.provisioner = new LazyService<>("provisioner", context);
        this.jobs = new LazyService<>("job store", context);
        String home = context.getProperty(Installation.HOME_PROPERTY);
        this.claims = new NodeClaims(home == null || home.isBlank() ? null : java.nio.file.Path.of(home, "var", "claims"));
    }

    /**
     * A configuration change is taken in place: changed targets (which
     * registry, scheduler...) rebind the references without recreating the
     * manager, so callers holding it keep a working one.
     */
    @Modified
    void modified(ManagerConfig config) {
        this.source = config.source().isBlank() ? System.getProperty("user.name", "unknown") : config.source();
    }

    /** For tests and embedding: a manager over the given services. */
    public VagothManager(String source, Registry registry, Provisioner provisioner) {
        this(source, registry, provisioner, null);
    }

    /**
     * For tests and embedding: a manager whose node actions claim their nodes
     * under {@code claimsDir}, as across processes (null: no claims).
     */
    public VagothManager(String source, Registry registry, Provisioner provisioner, java.nio.file.Path claimsDir) {
        this.source = source;
        this.registry = LazyService.of("registry", registry);
        this.registryFacade = new RegistryFacade(this.registry);
        this.scheduler = LazyService.of("scheduler", null);
        this.provisioner = LazyService.of("provisioner", provisioner);
        this.jobs = LazyService.of("job store", null);
        this.claims = new NodeClaims(claimsDir);
    }

    @Reference(name = "registry", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindRegistry(ServiceReference<Registry> ref) {
        registry.bind(ref);
    }

    void unbindRegistry(ServiceReference<Registry> ref) {
        registry.unbind(ref);
    }

    @Reference(name = "scheduler", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindScheduler(ServiceReference<Scheduler> ref) {
        scheduler.bind(ref);
    }

    void unbindScheduler(ServiceReference<Scheduler> ref) {
        scheduler.unbind(ref);
    }

    @Reference(name = "provisioner", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindProvisioner(ServiceReference<Provisioner> ref) {
        provisioner.bind(ref);
    }

    void unbindProvisioner(ServiceReference<Provisioner> ref) {
        provisioner.unbind(ref);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addNodeType(NodeType type, Map<String, Object> props) {
        nodeTypes.add(type, props);
    }

    public void removeNodeType(NodeType type, Map<String, Object> props) {
        nodeTypes.remove(type, props);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addAction(Action action, Map<String, Object> props) {
        actions.add(action, props);
    }

    public void removeAction(Action action, Map<String, Object> props) {
        actions.remove(action, props);
    }

    @Reference(name = "jobs", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindJobs(ServiceReference<JobStore> ref) {
        jobs.bind(ref);
    }

    void unbindJobs(ServiceReference<JobStore> ref) {
        jobs.unbind(ref);
    }

    /** For tests and embedding: the job store to use. */
    public void useJobs(JobStore s) {
        jobs.set(s);
    }

    @Override
    public JobStore jobs() {
        return jobs.get();
    }

    /** For tests and embedding: the scheduler to use. */
    public void useScheduler(Scheduler s) {
        scheduler.set(s);
    }

    /**
     * A registry that follows swaps: each call reaches the one bound at that
     * moment. Fails at once, naming what is missing, when none is.
     */
    @Override
    public Registry registry() {
        registry.get();
        return registryFacade;
    }

    @Override
    public Scheduler scheduler() {
        return scheduler.get();
    }

    @Override
    public Provisioner provisioner() {
        return provisioner.get();
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

    @Override
    public boolean ifNodeIdle(String nodeId, Runnable work) {
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
