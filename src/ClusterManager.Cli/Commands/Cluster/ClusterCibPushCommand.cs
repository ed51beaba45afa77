using System.Xml.Linq;
using ClusterManager.Cib;
using ClusterManager.Cli.Client;
using ClusterManager.Cli.Editing;
using ClusterManager.Model.Configuration;
using Grpc.Core;

namespace ClusterManager.Cli.Commands.Cluster;

/// <summary>
/// <c>hactl cluster cib-push FILE [--config] [diff-against=ORIGINAL]</c> (pcs's cib-push): applies a CIB file's
/// configuration to the live cluster as one batch, all or nothing. Status is the cluster's own: only the
/// configuration is pushed.
/// </summary>
internal static class ClusterCibPushCommand
{
    private const string Usage = """
        Usage: hactl cluster cib-push FILE [--config] [diff-against=ORIGINAL] [--wait[=SECONDS]]

        Pushes the configuration in FILE to the cluster: the differences between the cluster's configuration and
        FILE's (resources, constraints, cluster properties, resource and operation defaults, node attributes, fencing
        levels) are applied as ONE change batch, all or nothing, checked as every change is, and only if nobody
        changed the configuration since it was read. The usual way: 'hactl cluster cib FILE', then
        'hactl -f FILE COMMAND ...' (as many as needed), then 'hactl cluster cib-push FILE --config'.

          diff-against=ORIGINAL  push only the differences between ORIGINAL and FILE (e.g. a copy saved before the
                                 edits): changes others made to the cluster in the meantime are kept
          --config               push the configuration (scope=configuration). Without it pcs pushes the whole CIB
                                 and refuses a FILE older than the cluster's; hactl also refuses an older FILE, and
                                 pushes the configuration only (the status belongs to the cluster)

        """;

    /// <summary>The command.</summary>
    public static readonly CommandDefinition Definition = ClusterCommand.Define(
        ["cluster", "cib-push"], "push a CIB file's configuration to the cluster (one all-or-nothing batch)", Usage, PushAsync);

    private static async Task<int> PushAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        call.RequireLive();
        var configOnly = call.Args.TakeFlag("--config");
        var scope = call.Args.TakeOption("--scope");
        var file = call.Args.Take("file");
        string? original = null;
        foreach (var (name, value) in call.Args.TakeNameValues())
        {
            switch (name)
            {
                case "diff-against":
                    original = value;
                    break;
                case "scope" when value == "configuration":
                    configOnly = true;
                    break;
                case "scope":
                    throw new UsageException($"scope={value}: only scope=configuration is supported (the cluster's configuration is pushed as a whole)");
                default:
                    throw new UsageException($"unknown option '{name}=' (use diff-against=ORIGINAL or scope=configuration)");
            }
        }

        call.Args.EnsureEnd();
        if (scope is not null)
        {
            configOnly = scope == "configuration" ? true : throw new UsageException($"--scope {scope}: only configuration is supported");
        }

        if (!File.Exists(file))
        {
            return call.BadInput($"{file} does not exist");
        }

        if (original is not null && !File.Exists(original))
        {
            return call.BadInput($"{original} does not exist");
        }

        var now = call.Context.Time.GetUtcNow();
        var document = FileCluster.Load(file);
        var target = Read(document, file, now);
        ClusterConfiguration from;
        long? expectedEpoch = null;
        if (original is not null)
        {
            // Only what changed between the two files: applied to the cluster as it is now, without an expected
            // epoch, so that unrelated changes made meanwhile survive (a conflicting one refuses the batch).
            from = Read(FileCluster.Load(original), original, now);
        }
        else
        {
            var state = await call.Client.GetStateAsync(includeStatus: false, linearizable: true, cancellationToken).ConfigureAwait(false);
            var fileEpoch = CibChangeApplier.Epoch(document);
            if (!configOnly && fileEpoch < state.Epoch)
            {
                return call.Fail($"{file} (epoch {fileEpoch}) is older than the cluster's configuration (epoch {state.Epoch}): the configuration "
                                 + "changed since the file was saved; push only your edits with diff-against=ORIGINAL, or use --config to replace it anyway");
            }

            from = state.Snapshot.Configuration;
            expectedEpoch = state.Epoch;
        }

        if (!configOnly && document.Root!.Element("status")?.HasElements == true)
        {
            call.Out.Write($"Pushing the configuration only: the status section of {file} is not pushed (the cluster records its own status)\n");
        }

        var changes = CibDiff.Compute(from, target, document);
        if (changes.Count == 0)
        {
            call.Out.Write("CIB updated (no changes: the configuration is already as in the file)\n");
            return ExitCodes.Ok;
        }

        try
        {
            var response = await call.Live.ApplyAsync(changes, expectedEpoch, cancellationToken).ConfigureAwait(false);
            foreach (var change in changes)
            {
                call.Out.Write($"  {CibDiff.Describe(change)}\n");
            }

            call.Out.Write($"CIB updated: {changes.Count} change(s) applied as one batch (epoch {response.Epoch})\n");
            return ExitCodes.Ok;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Aborted)
        {
            return call.Fail($"the configuration changed while pushing; nothing was applied ({e.Status.Detail}); run the push again");
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.FailedPrecondition or StatusCode.InvalidArgument)
        {
            return call.Fail($"the cluster refused the push; nothing was applied: {e.Status.Detail}");
        }
    }

    private static ClusterConfiguration Read(XDocument document, string file, DateTimeOffset now)
    {
        try
        {
            return CibChangeApplier.Read(document, now);
        }
        catch (CibFormatException e)
        {
            throw new CibFileException($"{file} is not a CIB hactl can read: {e.Message}");
        }
    }
}
