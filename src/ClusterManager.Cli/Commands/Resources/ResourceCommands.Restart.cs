using ClusterManager.Api.V1;
using ClusterManager.Cli.Client;
using ClusterManager.Cli.Editing;

namespace ClusterManager.Cli.Commands.Resources;

internal static partial class ResourceCommands
{
    private const string RestartUsage = """
        Usage: hactl resource restart RESOURCE_ID [NODE] [--wait[=SECONDS]]

        Restarts a resource through the cluster, as crm_resource --restart does: records target-role=Stopped, waits
        until the cluster has stopped it everywhere, then restores the previous target-role and waits until it runs
        again. With NODE (a clone, or the node a resource runs on): only the instance on NODE, by a ban on NODE
        (cli-ban-RESOURCE_ID-on-NODE) that is removed again once the instance has stopped. Each wait is limited by
        --wait (default 60 minutes); at the limit the previous target-role (or ban) is restored and the exit code is 1.
        """;

    private static readonly CommandDefinition Restart = ClusterCommand.DefineWaiting(
        ["resource", "restart"], "stop and start a resource through the cluster", RestartUsage, RestartAsync);

    private static async Task<int> RestartAsync(ClusterCall call, TimeSpan? wait, CancellationToken cancellationToken)
    {
        call.RequireLive();
        var args = call.Args;
        var id = args.Take("resource id");
        var node = args.AtEnd ? null : args.Take("node");
        args.EnsureEnd();
        var limit = wait ?? TimeSpan.FromMinutes(60);

        var live = await LiveCluster.ReadAsync(call.Client, cancellationToken).ConfigureAwait(false);
        var element = CibEdit.FindResource(live.State.Resources, id);
        if (element is null)
        {
            return call.Fail($"resource '{id}' does not exist");
        }

        var running = live.RunningOn(id);
        if (running.Length == 0)
        {
            return call.Fail($"resource '{id}' is not running; nothing to restart ('hactl resource enable {id}' starts it)");
        }

        var cloned = element.Name.LocalName is "clone" or "master" || element.Ancestors().Any(a => a.Name.LocalName is "clone" or "master");
        if (node is not null && running.All(n => n.Value != node))
        {
            return call.Fail($"resource '{id}' is not running on {node} (it runs on {string.Join(", ", running)})");
        }

        return node is not null && cloned
            ? await RestartInstanceAsync(call, id, node, limit, cancellationToken).ConfigureAwait(false)
            : await RestartEverywhereAsync(call, id, limit, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> RestartEverywhereAsync(ClusterCall call, string id, TimeSpan limit, CancellationToken cancellationToken)
    {
        string? previous = null;
        var stopped = await ClusterCommand.EditAsync(call, state =>
        {
            var element = CibEdit.FindResource(state.Resources, id);
            if (element is null)
            {
                return EditPlan.Fail($"resource '{id}' does not exist");
            }

            previous = CibEdit.PairValue(element, "meta_attributes", "target-role");
            CibEdit.SetPairs(element, "meta_attributes", [new("target-role", "Stopped")], CibEdit.AllIds(state.Cib));
            return EditPlan.Of([Changes.PutResource(CibEdit.TopLevel(element), WriteMode.Replace)]);
        }, cancellationToken).ConfigureAwait(false);
        if (stopped != ExitCodes.Ok)
        {
            return stopped;
        }

        var settled = await ClusterCommand.WaitUntilSettledAsync(call, limit, cancellationToken).ConfigureAwait(false);

        // The previous target-role comes back whatever happened, so a restart never leaves a resource disabled.
        var restored = await ClusterCommand.EditAsync(call, state =>
        {
            var element = CibEdit.FindResource(state.Resources, id);
            if (element is null)
            {
                return EditPlan.Fail($"resource '{id}' was deleted during the restart");
            }

            CibEdit.SetPairs(element, "meta_attributes", [new("target-role", previous ?? "")], CibEdit.AllIds(state.Cib));
            return EditPlan.Of([Changes.PutResource(CibEdit.TopLevel(element), WriteMode.Replace)]);
        }, cancellationToken).ConfigureAwait(false);
        if (settled != ExitCodes.Ok || restored != ExitCodes.Ok)
        {
            return ExitCodes.Failure;
        }

        return await FinishRestartAsync(call, id, limit, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> RestartInstanceAsync(ClusterCall call, string id, string node, TimeSpan limit, CancellationToken cancellationToken)
    {
        var banId = ConstraintXml.BanId(id, node);
        var banned = await ClusterCommand.EditAsync(call, state =>
            state.Constraints.Elements("rsc_location").Any(c => (string?)c.Attribute("id") == banId)
                ? EditPlan.Fail($"constraint {banId} exists already; 'hactl resource clear {id} {node}' removes it")
                : EditPlan.Of([Changes.PutConstraint(ConstraintXml.Location(banId, id, node, "-INFINITY", "Started"), WriteMode.Create)]),
            cancellationToken).ConfigureAwait(false);
        if (banned != ExitCodes.Ok)
        {
            return banned;
        }

        var settled = await ClusterCommand.WaitUntilSettledAsync(call, limit, cancellationToken).ConfigureAwait(false);
        var cleared = await ClusterCommand.EditAsync(call, _ => EditPlan.Of([Changes.DeleteConstraint(banId)]), cancellationToken).ConfigureAwait(false);
        if (settled != ExitCodes.Ok || cleared != ExitCodes.Ok)
        {
            return ExitCodes.Failure;
        }

        return await FinishRestartAsync(call, id, limit, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> FinishRestartAsync(ClusterCall call, string id, TimeSpan limit, CancellationToken cancellationToken)
    {
        var code = await ClusterCommand.WaitUntilSettledAsync(call, limit, cancellationToken).ConfigureAwait(false);
        if (code != ExitCodes.Ok)
        {
            return code;
        }

        var live = await LiveCluster.ReadAsync(call.Client, cancellationToken).ConfigureAwait(false);
        var running = live.RunningOn(id);
        if (running.Length == 0)
        {
            return call.Fail($"resource '{id}' was stopped but did not start again ('hactl status' shows why)");
        }

        call.Out.Write($"{id} successfully restarted\n");
        return ExitCodes.Ok;
    }
}
