package vagoth.virt.internal;

import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import vagoth.api.Selection;
import vagoth.api.action.Action;
import vagoth.api.job.JobStore;
import vagoth.api.registry.Registry;
import vagoth.support.bind.Current;
import vagoth.support.bind.FollowingRegistry;

/**
 * What every virt action references: the selected registry it writes to and
 * the selected job store it records its steps in. Both follow a swap (an
 * action in flight waits for the next one within {@code swap.grace.ms}).
 */
abstract class RegistryAction implements Action {
    final FollowingRegistry registry = new FollowingRegistry(Selection.DEFAULT_SWAP_GRACE_MS);
    final Current<JobStore> jobs = new Current<>("job store", Selection.DEFAULT_SWAP_GRACE_MS);

    @Activate
    @Modified
    void configure(Map<String, Object> props) {
        long grace = Current.grace(props);
        registry.grace(grace);
        jobs.grace(grace);
    }

    @Reference(name = Selection.REGISTRY, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindRegistry(Registry r) {
        registry.bind(r);
    }

    void unbindRegistry(Registry r) {
        registry.unbind(r);
    }

    @Reference(name = Selection.JOBS, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindJobs(JobStore s) {
        jobs.bind(s);
    }

    void unbindJobs(JobStore s) {
        jobs.unbind(s);
    }

    /** The registry bound now. */
    Registry registry() {
        return registry;
    }

    /** Records a completed step of the job this action runs as, durably (when it runs as a job). */
    void step(Map<String, String> args, String text) {
        String job = args.get(Action.JOB_ARG);
        if (job != null) {
            jobs.get().step(job, text);
        }
    }
}
