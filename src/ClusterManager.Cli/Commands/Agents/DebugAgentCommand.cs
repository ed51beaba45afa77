using System.Collections.Immutable;
using System.Globalization;
using ClusterManager.Agents;
using ClusterManager.Agents.Execution;
using ClusterManager.Agents.Ocf;
using ClusterManager.Agents.Systemd;
using ClusterManager.Cib;
using ClusterManager.Model;
using ClusterManager.Model.Configuration;
using ClusterManager.Policy.Rules;

namespace ClusterManager.Cli.Commands.Agents;

/// <summary>
/// <c>hactl resource debug-start|debug-stop|debug-monitor|debug-promote|debug-demote</c>: runs one agent action on
/// this node now, outside the cluster (pcs's <c>debug-*</c>, i.e. <c>crm_resource --force-*</c>), and exits with the
/// agent's rc. The target is a resource of a CIB file (<c>-f FILE</c>), whose parameters, meta attributes and
/// operation timeout are used, or an agent name with inline <c>name=value</c> parameters.
/// </summary>
internal static class DebugAgentCommand
{
    /// <summary>The instance name an agent gets when no resource is named (crm_resource uses the same).</summary>
    public const string InlineInstance = "test";

    /// <summary>The timeout when neither the option, the CIB nor the agent gives one (Pacemaker's default).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    /// <summary>The debug commands: command word and the agent action it runs.</summary>
    public static readonly ImmutableArray<(string Word, string Action)> Commands =
    [
        ("debug-start", AgentActions.Start),
        ("debug-stop", AgentActions.Stop),
        ("debug-monitor", AgentActions.Monitor),
        ("debug-promote", AgentActions.Promote),
        ("debug-demote", AgentActions.Demote),
    ];

    public static string Usage(string word, string action) => $"""
        Usage: hactl resource {word} RESOURCE-ID -f FILE [NAME=VALUE ...] [--full] [--force] [--timeout DURATION]
               hactl resource {word} AGENT [NAME=VALUE ...] [--full] [--force] [--timeout DURATION]

        Runs the agent's {action} action on this node now, bypassing the cluster, and prints the result (rc and its
        meaning, the exit reason) and what the agent wrote to stdout and stderr. The exit status is the agent's rc
        (0 ok, 7 not running, ...), or 2 when the command line is wrong.{(action == AgentActions.Monitor ? "\nThe monitor runs as a probe (interval 0)." : string.Empty)}

          RESOURCE-ID        a primitive in the CIB file given with -f: its agent, parameters, meta attributes
                             and {action} timeout are used (NAME=VALUE overrides a parameter)
          AGENT              an agent name, e.g. ocf:heartbeat:Dummy, ocf:clustermanager:IPaddr2, systemd:haproxy;
                             the instance is called '{InlineInstance}'
          -f, --file FILE    the CIB to read the resource from
          --full             also print the environment (or parameters) the agent was given, and the duration
          --force            run even when required parameters are missing
          --timeout D        kill the agent after D (default: the CIB's, else the agent's advertised timeout,
                             else 20s)

        Example: hactl resource {word} ocf:heartbeat:Dummy state=/tmp/dummy.state
        Shell agents trace every command with trace_ra=1 trace_file=/dev/stderr.

        """;

    public static async Task<int> RunAsync(string action, CommandContext context, LocalAgents agents, CancellationToken cancellationToken)
    {
        var args = context.Args;
        var full = args.TakeFlag("--full");
        var force = args.TakeFlag("--force");
        var file = args.TakeOption("-f", "--file");
        var timeoutText = args.TakeOption("--timeout");
        var targetText = args.Take("resource id or agent name");
        var inline = args.TakeNameValues();
        if (!args.AtEnd && !args.Remaining[0].StartsWith('-'))
        {
            throw new UsageException($"'{args.Remaining[0]}' is not a parameter (expected NAME=VALUE)");
        }

        args.EnsureEnd();
        TimeSpan? timeout = null;
        if (timeoutText is not null)
        {
            timeout = Durations.TryParse(timeoutText, out var parsed) && parsed > TimeSpan.Zero
                ? parsed
                : throw new UsageException($"--timeout '{timeoutText}' is not a duration above zero (e.g. 30s)");
        }

        Target target;
        if (targetText.Contains(':', StringComparison.Ordinal))
        {
            if (file is not null)
            {
                throw new UsageException($"'{targetText}' is an agent name; -f FILE goes with a resource id");
            }

            target = new Target(AgentDiscoveryCommands.ParseAgentName(targetText), InlineInstance, FromCib: false,
                ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal),
                ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal), null);
        }
        else if (file is null)
        {
            throw new UsageException(
                $"'{targetText}' is not an agent name (ocf:PROVIDER:TYPE or systemd:UNIT); to run a resource give its CIB with -f FILE");
        }
        else
        {
            var (fromCib, error) = ReadResource(file, targetText, action, context.Time.GetUtcNow());
            if (fromCib is null)
            {
                context.Error.Write($"error: {error}\n");
                return ExitCodes.BadInput;
            }

            target = fromCib;
        }

        var parameters = target.Parameters.SetItems(inline);
        string? note = null;
        if (action == AgentActions.Start && agents.IsNative(target.Agent) && !parameters.ContainsKey("arp_bg"))
        {
            // The native agent announces from a background task, which would die with hactl.
            parameters = parameters.SetItem("arp_bg", "false");
            note = "arp_bg=false added: the announcements are made before returning, as hactl exits after the action";
        }

        var (metadata, _) = await agents.GetMetadataAsync(target.Agent, cancellationToken).ConfigureAwait(false);
        if (metadata is not null && !force)
        {
            var missing = metadata.MissingRequired(parameters);
            if (!missing.IsEmpty)
            {
                context.Error.Write(missing.Length == 1
                    ? $"error: required resource option '{missing[0]}' is missing, use --force to override\n"
                    : $"error: required resource options {string.Join(", ", missing.Select(m => $"'{m}'"))} are missing, use --force to override\n");
                return ExitCodes.BadInput;
            }

            foreach (var unknown in parameters.Keys.Where(k => !metadata.Parameters.Any(p => p.Name == k) && k is not ("trace_ra" or "trace_file")))
            {
                context.Error.Write($"warning: {target.Agent} has no parameter '{unknown}'; passed anyway\n");
            }
        }

        var request = new AgentRequest(new ResourceId(target.Id), target.Agent, action, TimeSpan.Zero,
            timeout ?? target.Timeout ?? metadata?.DefaultTimeout(action) ?? DefaultTimeout, parameters, target.Meta);
        if (note is not null)
        {
            context.Error.Write($"note: {note}\n");
        }

        var result = await agents.Router.ExecuteAsync(request, cancellationToken).ConfigureAwait(false);
        WriteResult(context.Out, request, target.FromCib, result);
        if (full)
        {
            WriteInputs(context.Out, agents, request, result);
        }

        return (int)result.Rc;
    }

    /// <summary>Pacemaker's text for an execution status (<c>pcmk_exec_status_str</c>).</summary>
    public static string Describe(ExecStatus status) => status switch
    {
        ExecStatus.Pending => "Pending",
        ExecStatus.Done => "Done",
        ExecStatus.Cancelled => "Cancelled",
        ExecStatus.Timeout => "Timed out",
        ExecStatus.NotSupported => "Unsupported",
        ExecStatus.Error => "Error",
        ExecStatus.ErrorHard => "Hard error",
        ExecStatus.ErrorFatal => "Fatal error",
        ExecStatus.NotInstalled => "Not installed",
        ExecStatus.NotConnected => "Internal communication failure",
        ExecStatus.Invalid => "Cannot execute now",
        ExecStatus.NoFenceDevice => "No fence device",
        ExecStatus.NoSecrets => "CIB secrets unavailable",
        _ => "Unrecognized status",
    };

    private static void WriteResult(TextWriter writer, AgentRequest request, bool namedResource, AgentResult result)
    {
        // crm_resource's line: "Operation force-start for d1 (ocf:heartbeat:Dummy) returned 0 (ok)", with the
        // action's own name.
        var what = namedResource
            ? $"Operation {request.Action} for {request.ResourceId.Value} ({request.Agent})"
            : $"Operation {request.Action} ({request.Agent})";
        var reason = result.ExitReason is { Length: > 0 } r ? r : null;
        writer.Write(result.Status == ExecStatus.Done
            ? $"{what} returned {(int)result.Rc} ({ResultClassifier.Describe(result.Rc)}{(reason is null ? string.Empty : ": " + reason)})\n"
            : $"{what} could not be executed ({Describe(result.Status)}{(reason is null ? string.Empty : ": " + reason)})\n");
        WriteSection(writer, "stdout", result.Output);
        WriteSection(writer, "stderr", result.ErrorOutput);
    }

    private static void WriteInputs(TextWriter writer, LocalAgents agents, AgentRequest request, AgentResult result)
    {
        if (request.Agent.Class == ResourceAgentName.OcfClass && !agents.IsNative(request.Agent))
        {
            writer.Write($"environment (added to hactl's own; {agents.Ocf.PathOf(request.Agent)} {request.Action}):\n");
            foreach (var (name, value) in OcfEnvironment.For(request, agents.Settings.Ocf))
            {
                writer.Write($"  {name}={value}\n");
            }
        }
        else
        {
            writer.Write(request.Agent.Class == ResourceAgentName.SystemdClass
                ? $"unit {SystemdAgent.UnitName(request.Agent.Type)} over D-Bus, timeout {AgentDescription.Format(request.Timeout)}; parameters:\n"
                : $"native agent (runs inside hactl), timeout {AgentDescription.Format(request.Timeout)}; parameters:\n");
            foreach (var (name, value) in request.Parameters)
            {
                writer.Write($"  {name}={value}\n");
            }

            foreach (var (name, value) in request.Meta)
            {
                writer.Write($"  meta {name}={value}\n");
            }
        }

        writer.Write($"duration: {result.Duration.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms\n");
    }

    private static void WriteSection(TextWriter writer, string name, string text)
    {
        if (text.Length == 0)
        {
            return;
        }

        writer.Write($"{name}:\n{text}");
        if (!text.EndsWith('\n'))
        {
            writer.Write('\n');
        }
    }

    /// <summary>The primitive <paramref name="id"/> of the CIB in <paramref name="file"/>, or what is wrong.</summary>
    private static (Target? Target, string? Error) ReadResource(string file, string id, string action, DateTimeOffset now)
    {
        CibDocument document;
        try
        {
            document = CibReader.Load(file, now);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, $"cannot read {file}: {e.Message}");
        }
        catch (CibFormatException e)
        {
            return (null, $"{file}: {e.ElementPath}: {e.Message}");
        }

        var configuration = document.Snapshot.Configuration;
        var word = Commands.First(c => c.Action == action).Word;
        var primitive = configuration.AllPrimitives().FirstOrDefault(p => p.Id.Value == id);
        if (primitive is null)
        {
            return (null, configuration.Resources.FirstOrDefault(r => r.Id.Value == id) switch
            {
                GroupConfig g => $"unable to {word} a group, try one of the group's resource(s) ({string.Join(",", g.Members.Select(m => m.Id.Value))})",
                CloneConfig c => $"unable to {word} a clone, try the clone's resource: {c.Child.Id.Value}",
                _ => configuration.Resources.OfType<CloneConfig>().FirstOrDefault(c => c.Child.Id.Value == id) is { Child: GroupConfig cloned }
                    ? $"unable to {word} a group, try one of the group's resource(s) ({string.Join(",", cloned.Members.Select(m => m.Id.Value))})"
                    : $"unable to find a resource/clone/group/bundle: {id} in {file}",
            });
        }

        if (primitive.IsFencingDevice)
        {
            return (null, $"'{id}' is a stonith resource ({primitive.Agent}); {word} runs resource agents only");
        }

        ResourceAgentName agent;
        try
        {
            agent = ResourceAgentName.Parse(primitive.Agent);
        }
        catch (FormatException e)
        {
            return (null, $"resource '{id}' uses agent '{primitive.Agent}', which hactl cannot run: {e.Message}");
        }

        var context = new RuleContext(
            new Dictionary<string, string>(StringComparer.Ordinal) { ["#uname"] = Environment.MachineName },
            now, primitive.Class, primitive.Provider, primitive.Type);
        var meta = NvSetResolver.Resolve(primitive.Meta, context);
        foreach (var (name, value) in NvSetResolver.Resolve(configuration.ResourceDefaults, context))
        {
            meta = meta.ContainsKey(name) ? meta : meta.Add(name, value);
        }

        // A probe runs with the settings of the interval-0 monitor when there is one.
        var operation = primitive.Operations.Where(o => o.Name == action).OrderBy(o => o.Interval).FirstOrDefault();
        return (new Target(agent, id, FromCib: true, NvSetResolver.Resolve(primitive.InstanceAttributes, context), meta,
            operation?.Timeout), null);
    }

    private sealed record Target(
        ResourceAgentName Agent,
        string Id,
        bool FromCib,
        ImmutableSortedDictionary<string, string> Parameters,
        ImmutableSortedDictionary<string, string> Meta,
        TimeSpan? Timeout);
}
