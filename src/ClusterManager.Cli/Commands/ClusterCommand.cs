using System.Text.Json;
using System.Text.Json.Nodes;
using ClusterManager.Api.V1;
using ClusterManager.Cli.Client;
using Grpc.Core;

namespace ClusterManager.Cli.Commands;

/// <summary>
/// A command that works on the cluster's configuration: its context and the backend, the live cluster or a CIB file
/// (<c>-f FILE</c>). <see cref="Live"/> is the connected client for what only a running cluster does.
/// </summary>
internal sealed record ClusterCall(CommandContext Context, IClusterBackend Client)
{
    /// <summary>The client of the running cluster.</summary>
    /// <exception cref="LiveClusterRequiredException">The command works on a file (<c>-f</c>).</exception>
    public ClusterClient Live => Client as ClusterClient ?? throw new LiveClusterRequiredException();

    /// <summary>Fails at once when the command works on a file: what it does needs a running cluster.</summary>
    /// <exception cref="LiveClusterRequiredException">The command works on a file (<c>-f</c>).</exception>
    public void RequireLive() => _ = Live;

    /// <summary>True when the command works on a CIB file (<c>-f</c>) instead of the live cluster.</summary>
    public bool OnFile => Client is FileCluster;

    public ArgumentCursor Args => Context.Args;

    public TextWriter Out => Context.Out;

    public TextWriter Error => Context.Error;

    /// <summary>Prints <c>error: MESSAGE</c> and returns exit code 2 (the command line asks for something invalid).</summary>
    public int BadInput(string message)
    {
        Error.Write($"error: {message}\n");
        return ExitCodes.BadInput;
    }

    /// <summary>Prints <c>error: MESSAGE</c> and returns exit code 1.</summary>
    public int Fail(string message)
    {
        Error.Write($"error: {message}\n");
        return ExitCodes.Failure;
    }
}

/// <summary>Output formats of read commands.</summary>
internal enum OutputFormat
{
    Text,
    Json,
}

/// <summary>
/// The frame of every command that talks to clusterd: connection options, the client, errors from the cluster
/// printed verbatim with exit code 1, confirmations of destructive commands, and read-modify-write edits.
/// </summary>
internal static class ClusterCommand
{
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        // Readable text (quotes, '+', non-ASCII) for scripts and people; the output is never embedded in HTML.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Defines a cluster command; the connection options are appended to <paramref name="usage"/>.</summary>
    public static CommandDefinition Define(
        IReadOnlyList<string> words, string summary, string usage, Func<ClusterCall, CancellationToken, Task<int>> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return DefineWaiting(words, summary, usage, async (call, wait, cancellationToken) =>
        {
            var code = await run(call, cancellationToken).ConfigureAwait(false);
            return code == ExitCodes.Ok && wait is { } limit
                ? await WaitUntilSettledAsync(call, limit, cancellationToken).ConfigureAwait(false)
                : code;
        });
    }

    /// <summary>
    /// Defines a cluster command that handles pcs's <c>--wait[=N]</c> itself (null when not given), for commands whose
    /// waiting is part of what they do (<c>resource restart</c>, <c>status wait</c>).
    /// </summary>
    public static CommandDefinition DefineWaiting(
        IReadOnlyList<string> words, string summary, string usage, Func<ClusterCall, TimeSpan?, CancellationToken, Task<int>> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var fullUsage = usage.TrimEnd('\n') + "\n\nConnection options:\n" + ClusterEndpoint.OptionsHelp + "\n" + FileHelp + WaitHelp;
        var name = string.Join(' ', words);
        return new CommandDefinition(words, summary, fullUsage, async (context, cancellationToken) =>
        {
            var file = context.Args.TakeOption("-f");
            var endpoint = ClusterEndpoint.Resolve(context.Args, context.Host);
            var wait = TakeWait(context.Args);
            using IClusterBackend client = file is null
                ? new ClusterClient(endpoint, context.Host.User, context.Time)
                : new FileCluster(file, context.Host.User, context.Time);
            try
            {
                if (file is not null && wait is not null)
                {
                    throw new LiveClusterRequiredException("--wait");
                }

                return await run(new ClusterCall(context, client), wait, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e)
            {
                context.Error.Write($"error: {client.Describe(e)}\n");
                return ExitCodes.Failure;
            }
            catch (LiveClusterRequiredException e)
            {
                context.Error.Write($"error: {e.MessageFor(name)}\n");
                return ExitCodes.BadInput;
            }
            catch (CibFileException e)
            {
                context.Error.Write($"error: {e.Message}\n");
                return ExitCodes.BadInput;
            }
        }) { WorksOnFile = true };
    }

    private const string FileHelp = """
          -f FILE                 work on the CIB file FILE instead of the live cluster (pcs's -f): reads come from
                                  it, changes are checked as clusterd checks them and written to it (an empty CIB
                                  when FILE does not exist); 'hactl cluster cib-push FILE' then applies the result

        """;

    private const string WaitHelp = """
          --wait[=SECONDS]        after the command, wait until the cluster has nothing left to do (the policy
                                  engine plans no action); default limit 60 minutes; exit 1 when it is reached

        """;

    private static readonly TimeSpan WaitPoll = TimeSpan.FromMilliseconds(500);

    /// <summary>pcs's <c>--wait[=N]</c> (seconds; 60 minutes without N); null when not given.</summary>
    /// <exception cref="UsageException">N is not a positive number.</exception>
    public static TimeSpan? TakeWait(ArgumentCursor args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var (given, value) = args.TakeFlagWithOptionalValue("--wait");
        if (!given)
        {
            return null;
        }

        if (value is null)
        {
            return TimeSpan.FromMinutes(60);
        }

        return int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : throw new UsageException($"--wait={value}: give a positive number of seconds");
    }

    /// <summary>
    /// Polls the cluster until the policy engine, run on the current state, plans no runnable action: everything
    /// has started, stopped or moved as configured (Pacemaker's "transition complete"). Exit 1 at the limit.
    /// </summary>
    public static async Task<int> WaitUntilSettledAsync(ClusterCall call, TimeSpan limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        call.RequireLive();
        var time = call.Context.Time;
        var deadline = time.GetUtcNow() + limit;
        while (true)
        {
            var live = await LiveCluster.ReadAsync(call.Client, cancellationToken).ConfigureAwait(false);
            if (live.Transition is null)
            {
                return call.Fail($"cannot tell whether the cluster has settled: {live.EngineError}");
            }

            // Planned actions, and operations still in flight (recorded pending: the engine already counts a pending
            // start as started, as crm_resource --wait also waits for them).
            var pending = live.Transition.Actions.Where(a => a.Runnable && a.Kind != Policy.ActionKind.Pseudo)
                .Select(a => a.Node is { } n ? $"{a.Key} on {n}" : a.Key)
                .Concat(live.Snapshot.Status.Nodes.SelectMany(n => n.Resources.SelectMany(r => r.Operations
                    .Where(op => op.ExecStatus == -1 && op.Interval == TimeSpan.Zero)
                    .Select(op => $"{op.OperationKey} on {n.Name} (running)"))))
                .ToList();
            if (pending.Count == 0)
            {
                return ExitCodes.Ok;
            }

            if (time.GetUtcNow() + WaitPoll > deadline)
            {
                var shown = string.Join(", ", pending.Take(5));
                return call.Fail($"waiting timeout: the cluster has not settled within {limit.TotalSeconds:0} s; {pending.Count} action(s) pending: {shown}{(pending.Count > 5 ? ", ..." : "")}");
            }

            await Task.Delay(WaitPoll, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A family's bare word (<c>hactl resource</c>, <c>hactl stonith</c>, ...) that runs a default action: anything but
    /// options after it is an unknown subcommand, not an argument of the default.
    /// </summary>
    public static CommandDefinition Bare(string word, string summary, string usage, Func<ClusterCall, CancellationToken, Task<int>> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return Define([word], summary, usage, (call, cancellationToken) =>
            call.Args.Peek() is { } next && !next.StartsWith('-')
                ? throw new UsageException($"unknown command '{word} {next}' (hactl --help lists the commands)")
                : run(call, cancellationToken));
    }

    /// <summary>Takes <c>--output text|json</c> (also <c>-o</c>, and pcs's <c>--output-format</c>).</summary>
    /// <exception cref="UsageException">An unknown format.</exception>
    public static OutputFormat TakeFormat(ArgumentCursor args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var format = args.TakeOption("--output", "-o") ?? args.TakeOption("--output-format");
        return format switch
        {
            null or "text" => OutputFormat.Text,
            "json" => OutputFormat.Json,
            _ => throw new UsageException($"unknown output format '{format}' (use text or json)"),
        };
    }

    /// <summary>Writes <paramref name="node"/> as indented JSON and a newline.</summary>
    public static void WriteJson(TextWriter writer, JsonNode node)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(node);
        writer.Write(node.ToJsonString(Indented));
        writer.Write('\n');
    }

    /// <summary>
    /// Asks before a destructive change. With <paramref name="yes"/> (<c>--yes</c>) it goes ahead; on a terminal it
    /// asks and reads the answer; otherwise it refuses: no terminal is never taken as consent.
    /// Returns null to go ahead, or the exit code to return.
    /// </summary>
    public static int? Confirm(CommandContext context, string question, bool yes)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (yes)
        {
            return null;
        }

        if (!context.Host.IsInteractive)
        {
            context.Error.Write($"error: {question}: confirmation needed; run it again with --yes (not asked: no terminal)\n");
            return ExitCodes.BadInput;
        }

        context.Out.Write($"{question}? [y/N] ");
        context.Out.Flush();
        var answer = context.Host.Input.ReadLine()?.Trim().ToLowerInvariant();
        if (answer is "y" or "yes")
        {
            return null;
        }

        context.Error.Write("Aborted: nothing was changed\n");
        return ExitCodes.Failure;
    }

    /// <summary>Runs a read-modify-write edit and prints its messages (or its error: exit 1).</summary>
    public static async Task<int> EditAsync(ClusterCall call, Func<ClusterState, EditPlan> plan, CancellationToken cancellationToken, bool includeStatus = false)
    {
        ArgumentNullException.ThrowIfNull(call);
        var result = await call.Client.EditAsync(includeStatus, plan, cancellationToken).ConfigureAwait(false);
        if (result.Error is not null)
        {
            return call.Fail(result.Error);
        }

        foreach (var message in result.Messages)
        {
            call.Out.Write(message + "\n");
        }

        return ExitCodes.Ok;
    }

    /// <summary>Applies changes that do not depend on the current configuration.</summary>
    public static async Task<int> ApplyAsync(ClusterCall call, IReadOnlyList<Change> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        await call.Client.ApplyAsync(changes, expectedEpoch: null, cancellationToken).ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}

/// <summary>Builders for the API's change messages.</summary>
internal static class Changes
{
    public static Change PutResource(System.Xml.Linq.XElement element, WriteMode mode) =>
        new() { PutResource = new PutElement { Xml = Editing.CibEdit.Xml(element), Mode = mode } };

    public static Change PutConstraint(System.Xml.Linq.XElement element, WriteMode mode) =>
        new() { PutConstraint = new PutElement { Xml = Editing.CibEdit.Xml(element), Mode = mode } };

    public static Change DeleteResource(string id) => new() { DeleteResource = id };

    public static Change DeleteConstraint(string id) => new() { DeleteConstraint = id };

    public static Change SetProperty(string name, string? value) => new() { SetProperty = NameValue(name, value) };

    public static Change SetResourceDefault(string name, string? value) => new() { SetResourceDefault = NameValue(name, value) };

    public static Change SetOperationDefault(string name, string? value) => new() { SetOperationDefault = NameValue(name, value) };

    public static Change SetNodeAttribute(string node, string name, string? value)
    {
        var attribute = new NodeAttribute { Node = node, Name = name };
        if (value is not null)
        {
            attribute.Value = value;
        }

        return new Change { SetNodeAttribute = attribute };
    }

    public static Change ClearHistory(string resource, string? node)
    {
        var clear = new ClearResourceHistory { Resource = resource };
        if (node is not null)
        {
            clear.Node = node;
        }

        return new Change { ClearResourceHistory = clear };
    }

    private static NameValue NameValue(string name, string? value)
    {
        var pair = new NameValue { Name = name };
        if (value is not null)
        {
            pair.Value = value;
        }

        return pair;
    }
}
