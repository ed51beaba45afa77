using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using ClusterManager.Cib;
using ClusterManager.Cli.Client;
using ClusterManager.Cli.Output;
using ClusterManager.Model;
using ClusterManager.Model.Configuration;
using ClusterManager.Model.Validation;
using ClusterManager.Policy;

namespace ClusterManager.Cli.Commands;

/// <summary>
/// <c>hactl simulate --xml FILE [-t DATE] [--show-scores] [-S] [--output text|json]</c>: reads a CIB, runs the
/// policy engine and prints what <c>crm_simulate -x FILE -S</c> prints (current status, transition summary,
/// revised status), or the final placement as JSON.
/// </summary>
public static class SimulateCommand
{
    private const string Usage = """
        Usage: hactl simulate --xml FILE [-t DATE] [--show-scores] [-S] [--output text|json]
               hactl simulate --replay N|latest [--node NODE] [--save-input FILE] [-t DATE] [--show-scores] [--output text|json]
               hactl simulate --replay list

        Computes the transition for the CIB in FILE without a running cluster, like crm_simulate -x FILE -S; or
        recomputes a decision the cluster took: every transition's input is kept (pe-input-N, numbered per node that
        led, the newest few hundred), and --replay shows what the engine saw and decided then.

          -x, --xml FILE       the CIB to read (configuration and status)
          --replay N           the cluster's engine input N ("latest": the newest); "list": what each member keeps
          --node NODE          with --replay: the input kept by NODE (default: the leader, then every member)
          --save-input FILE    with --replay: also write the input to FILE (a CIB for crm_simulate -x or --xml)
          -t, --date DATE      "now" for rules, failure-timeout and locks (ISO 8601, e.g. 2014-05-07 00:28:00,
                               2005-020T12:30); default: the CIB's execution-date, else the current time
          -s, --show-scores    also print the allocation and promotion scores
          -S, --simulate       print the simulated outcome (the default)
          -o, --output FORMAT  text (default) or json (the final placement, for scripts)

        Configuration problems and ignored CIB elements are reported on stderr as "warning: ..." or "error: ...".
        Exit status: 0 on success, 1 when the cluster cannot be reached or does not keep the input, 2 when the file
        cannot be read or is not a valid CIB.

        Connection options (with --replay):
        """ + ClusterEndpoint.OptionsHelp;

    /// <summary>The command's entry in the command table.</summary>
    public static readonly CommandDefinition Definition =
        new(["simulate"], "compute the transition for a CIB file or a kept engine input (like crm_simulate -S)", Usage, RunAsync);

    private static readonly string[] TrueWords = ["true", "on", "yes", "y", "1"];

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var args = context.Args;
        var file = args.TakeOption("--xml", "-x");
        var replay = args.TakeOption("--replay");
        var member = args.TakeOption("--node");
        var saveInput = args.TakeOption("--save-input");
        var dateText = args.TakeOption("--date", "-t");
        var showScores = args.TakeFlag("--show-scores", "-s");
        args.TakeFlag("--simulate", "-S");
        var format = args.TakeOption("--output", "-o") ?? "text";
        if ((file is null) == (replay is null))
        {
            throw new UsageException(file is null ? "--xml FILE or --replay N is required" : "--xml and --replay exclude each other");
        }

        if (replay is null && (member is not null || saveInput is not null))
        {
            throw new UsageException("--node and --save-input go with --replay");
        }

        var endpoint = replay is null ? null : ClusterEndpoint.Resolve(args, context.Host);
        args.EnsureEnd();
        if (format is not ("text" or "json"))
        {
            throw new UsageException($"unknown output format '{format}' (use text or json)");
        }

        DateTimeOffset? date = null;
        if (dateText is not null)
        {
            if (!CrmDate.TryParse(dateText, out var parsed))
            {
                throw new UsageException($"'{dateText}' is not a date (use ISO 8601, e.g. 2014-05-07 00:28:00)");
            }

            date = parsed;
        }

        var now = context.Time.GetUtcNow();
        string source;
        CibDocument document;
        if (endpoint is null)
        {
            source = file!;
            try
            {
                document = CibReader.Load(file!, now);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or IOException)
            {
                context.Error.Write($"error: cannot read {file}: {e.Message}\n");
                return ExitCodes.BadInput;
            }
            catch (CibFormatException e)
            {
                context.Error.Write($"error: {file}: {e.ElementPath}: {e.Message}\n");
                return ExitCodes.BadInput;
            }
        }
        else
        {
            var number = replay switch
            {
                "latest" or "list" => 0,
                _ when long.TryParse(replay, System.Globalization.NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 => n,
                _ => throw new UsageException($"--replay '{replay}': give a transition number, latest or list"),
            };
            using var client = new ClusterClient(endpoint, context.Host.User, context.Time);
            try
            {
                if (replay == "list")
                {
                    EngineInputs.WriteList(context.Out, await EngineInputs.ListAsync(client, cancellationToken).ConfigureAwait(false));
                    return ExitCodes.Ok;
                }

                var (input, problem) = await EngineInputs.FetchAsync(client, number, member, cancellationToken).ConfigureAwait(false);
                if (input is null)
                {
                    context.Error.Write($"error: {problem}\n");
                    return ExitCodes.Failure;
                }

                source = $"engine input {input.Number} of {input.Member}";
                if (saveInput is not null)
                {
                    await File.WriteAllTextAsync(saveInput, input.Xml, cancellationToken).ConfigureAwait(false);
                }

                document = CibReader.Parse(input.Xml, now);
            }
            catch (Grpc.Core.RpcException e)
            {
                context.Error.Write($"error: {client.Describe(e)}\n");
                return ExitCodes.Failure;
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                context.Error.Write($"error: cannot write {saveInput}: {e.Message}\n");
                return ExitCodes.BadInput;
            }
            catch (CibFormatException e)
            {
                context.Error.Write($"error: the cluster's engine input is not a valid CIB: {e.ElementPath}: {e.Message}\n");
                return ExitCodes.Failure;
            }
        }

        foreach (var warning in document.Warnings)
        {
            context.Error.Write($"warning: {warning}\n");
        }

        var snapshot = document.Snapshot;
        foreach (var issue in ConfigurationValidator.Validate(snapshot.Configuration))
        {
            var severity = issue.Severity == IssueSeverity.Error ? "error" : "warning";
            context.Error.Write($"{severity}: {issue.ElementPath}: {issue.Message}\n");
        }

        string? dateNote = null;
        if (date is { } forced)
        {
            snapshot = snapshot with { Now = forced };
            dateNote = $"Setting effective cluster time: {dateText}";
        }
        else if (snapshot.Now != now)
        {
            dateNote = $"Using the original execution date of: {snapshot.Now.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}Z";
        }

        Transition transition;
        try
        {
            transition = PolicyEngine.Compute(snapshot, new PolicyOptions(IncludeScores: showScores));
        }
        catch (PolicyInputException e)
        {
            context.Error.Write($"error: {source}: {e.Message}\n");
            return ExitCodes.BadInput;
        }
        catch (NotImplementedException e)
        {
            context.Error.Write($"error: the policy engine cannot compute this yet: {e.Message}\n");
            return ExitCodes.Failure;
        }

        foreach (var warning in transition.Warnings)
        {
            context.Error.Write($"warning: {warning}\n");
        }

        var options = StatusOptionsFor(snapshot);
        if (format == "json")
        {
            WriteJson(context.Out, snapshot, transition, options);
        }
        else
        {
            WriteText(context.Out, transition, options, dateNote, MaintenanceMode(snapshot.Configuration), showScores);
        }

        return ExitCodes.Ok;
    }

    /// <summary>
    /// Writes crm_simulate 2.1.5's <c>-S</c> layout: optional notes, "Current cluster status", optional
    /// "Allocation Scores", "Transition Summary" and "Revised Cluster Status" (the simulated execution is not shown).
    /// </summary>
    public static void WriteText(
        TextWriter writer, Transition transition, StatusWriteOptions options, string? dateNote, bool maintenanceMode, bool showScores)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(transition);
        if (dateNote is not null)
        {
            writer.Write(dateNote + "\n");
        }

        var printed = false;
        if (maintenanceMode)
        {
            writer.Write("\n              *** Resource management is DISABLED ***\n");
            writer.Write("  The cluster will not attempt to start, stop or recover services\n");
            printed = true;
        }

        var (instances, disabled, blocked) = ClusterStatusWriter.CountInstances(transition.Current);
        if (disabled > 0 || blocked > 0)
        {
            if (printed)
            {
                writer.Write('\n');
            }

            writer.Write($"{disabled} of {instances} resource instances DISABLED and {blocked} BLOCKED from further action due to failure\n");
            printed = true;
        }

        if (printed)
        {
            writer.Write('\n');
        }

        ClusterStatusWriter.Write(writer, "Current cluster status", transition.Current, options);
        if (showScores)
        {
            writer.Write("\nAllocation Scores:\n");
            foreach (var score in transition.Scores)
            {
                writer.Write("  * " + ScoreWriter.Line(score) + "\n");
            }
        }

        writer.Write('\n');
        TransitionSummaryWriter.Write(writer, transition);
        writer.Write('\n');
        ClusterStatusWriter.Write(writer, "Revised Cluster Status", transition.Projected, options);
    }

    private static void WriteJson(TextWriter writer, ClusterSnapshot snapshot, Transition transition, StatusWriteOptions options)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("now", snapshot.Now);
            json.WriteStartArray("placement");
            foreach (var row in PlacementRows.From(transition.Projected, options))
            {
                json.WriteStartObject();
                json.WriteString("key", row.Key);
                json.WriteString("role", row.Role);
                json.WriteString("node", row.Node);
                json.WriteString("flags", row.Flags);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("changes");
            foreach (var line in TransitionSummaryWriter.Lines(transition))
            {
                json.WriteStringValue(string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)));
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        writer.Write(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
        writer.Write('\n');
    }

    /// <summary>
    /// Derives the status printer's options from a snapshot: <c>symmetric-cluster</c>, and for every clone the
    /// nodes with operation history of one of its instances.
    /// </summary>
    public static StatusWriteOptions StatusOptionsFor(ClusterSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var symmetric = Property(snapshot.Configuration, "symmetric-cluster") is not { } s || IsTrue(s);
        var knownOn = ImmutableDictionary.CreateBuilder<ResourceId, ImmutableArray<NodeName>>();
        foreach (var clone in snapshot.Configuration.Resources.OfType<CloneConfig>())
        {
            var ids = (clone.Child switch
            {
                PrimitiveConfig p => [p.Id.Value],
                GroupConfig g => g.Members.Select(m => m.Id.Value),
                _ => [],
            }).ToHashSet(StringComparer.Ordinal);
            knownOn[clone.Id] = [.. snapshot.Status.Nodes
                .Where(n => n.Resources.Any(r => ids.Contains(ResourceDisplay.BaseId(r.Id.Value))))
                .Select(n => n.Name)];
        }

        var priorities = ImmutableDictionary.CreateBuilder<ResourceId, int>();
        var defaultPriority = Priority(snapshot.Configuration.ResourceDefaults) ?? 0;
        foreach (var resource in snapshot.Configuration.Resources)
        {
            priorities[resource.Id] = Priority(resource.Meta) ?? defaultPriority;
        }

        return new StatusWriteOptions
        {
            SymmetricCluster = symmetric,
            KnownOn = knownOn.ToImmutable(),
            Priorities = priorities.ToImmutable(),
        };
    }

    // The priority meta attribute as Pacemaker reads it (leading integer: "2.0" is 2), from sets without rules.
    private static int? Priority(ImmutableArray<NvSet> sets)
    {
        var value = sets.Where(set => set.Rule is null).OrderByDescending(set => set.Score)
            .SelectMany(set => set.Pairs).FirstOrDefault(pair => pair.Name == "priority")?.Value?.Trim();
        if (value is null)
        {
            return null;
        }

        if (Score.TryParse(value, out var score))
        {
            return score.Value;
        }

        var digits = value.TakeWhile((c, i) => char.IsAsciiDigit(c) || (i == 0 && c is '-' or '+')).ToArray();
        return int.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? number : 0;
    }

    private static bool MaintenanceMode(ClusterConfiguration configuration) =>
        Property(configuration, "maintenance-mode") is { } value && IsTrue(value);

    private static bool IsTrue(string value) => TrueWords.Contains(value.Trim().ToLowerInvariant());

    // The first value of a cluster property in sets without rules, higher-scored sets first.
    private static string? Property(ClusterConfiguration configuration, string name) => configuration.Properties
        .Where(set => set.Rule is null)
        .OrderByDescending(set => set.Score)
        .SelectMany(set => set.Pairs)
        .FirstOrDefault(pair => pair.Name == name)?.Value;
}
