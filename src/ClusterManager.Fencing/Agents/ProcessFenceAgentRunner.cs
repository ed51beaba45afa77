using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace ClusterManager.Fencing.Agents;

/// <summary>
/// Runs a fence agent as Pacemaker does: no argv, the arguments as <c>key=value</c> lines on stdin (then closed),
/// <c>LANG=C</c>, <c>PCMK_service=pacemaker-fenced</c>. The agent runs in its own session and process group
/// (through <c>setsid</c>), so on timeout or cancellation the whole group is SIGKILLed, including children that
/// outlived their parent.
/// </summary>
public sealed partial class ProcessFenceAgentRunner : IFenceAgentRunner
{
    private const int SigKill = 9;
    private static readonly string? SetsidPath =
        new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists);

    private readonly FenceAgentRunnerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ProcessFenceAgentRunner(FenceAgentRunnerOptions options, TimeProvider time, ILogger<ProcessFenceAgentRunner> logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>The full path of <paramref name="agent"/> in the agent directories, or null.</summary>
    public string? Resolve(string agent)
    {
        if (!AgentNamePattern().IsMatch(agent))
        {
            return null;
        }

        return _options.AgentDirectories.Select(d => Path.Combine(d, agent)).FirstOrDefault(IsExecutable);
    }

    /// <summary>The names of the executable <c>fence_*</c> agents in the agent directories, sorted ordinally.</summary>
    public IReadOnlyList<string> ListAgents() =>
    [
        .. _options.AgentDirectories
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "fence_*"))
            .Where(IsExecutable)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(name => AgentNamePattern().IsMatch(name))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal),
    ];

    public async Task<AgentRunResult> RunAsync(FenceAgentInvocation invocation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(invocation.Timeout, TimeSpan.Zero, nameof(invocation));
        var started = _time.GetTimestamp();
        var path = Resolve(invocation.Agent);
        if (path is null)
        {
            return new AgentRunResult(invocation.Agent, invocation.Action, AgentRunOutcome.NotFound, null, "",
                $"no executable fence agent '{invocation.Agent}' in {string.Join(", ", _options.AgentDirectories)}", TimeSpan.Zero);
        }

        var info = new ProcessStartInfo
        {
            FileName = SetsidPath ?? path,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (SetsidPath is not null)
        {
            info.ArgumentList.Add(path);
        }

        info.Environment["LANG"] = "C";
        info.Environment["LC_ALL"] = "C";
        info.Environment["PYTHONWARNINGS"] = "ignore";
        if (_options.RunAsPacemaker)
        {
            info.Environment["PCMK_service"] = "pacemaker-fenced";
        }

        foreach (var (name, value) in _options.Environment)
        {
            info.Environment[name] = value;
        }

        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            return new AgentRunResult(invocation.Agent, invocation.Action, AgentRunOutcome.NotFound, null, "",
                $"cannot start {path}: {e.Message}", _time.GetElapsedTime(started));
        }

        var pid = process.Id;
        LogStarted(_logger, invocation.Agent, invocation.Action, pid, invocation.Timeout.TotalSeconds);
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        await WriteStdinAsync(process, invocation).ConfigureAwait(false);

        using var timeout = new CancellationTokenSource(invocation.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var outcome = AgentRunOutcome.Exited;
        try
        {
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            KillGroup(process, pid);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested)
            {
                LogCancelled(_logger, invocation.Agent, invocation.Action, pid);
                cancellationToken.ThrowIfCancellationRequested();
            }

            outcome = AgentRunOutcome.TimedOut;
        }

        // A child that inherited stdout keeps the pipe open after the agent exited: give it a moment, then kill it.
        var outputs = Task.WhenAll(stdout, stderr);
        if (await Task.WhenAny(outputs, Task.Delay(_options.OutputGrace, _time, CancellationToken.None)).ConfigureAwait(false) != outputs)
        {
            KillGroup(process, pid);
        }

        await outputs.ConfigureAwait(false);
        var result = new AgentRunResult(
            invocation.Agent, invocation.Action, outcome,
            outcome == AgentRunOutcome.Exited ? process.ExitCode : null,
            stdout.Result, stderr.Result, _time.GetElapsedTime(started));
        if (outcome == AgentRunOutcome.TimedOut)
        {
            LogTimedOut(_logger, invocation.Agent, invocation.Action, pid, invocation.Timeout.TotalSeconds);
        }
        else
        {
            LogExited(_logger, invocation.Agent, invocation.Action, pid, result.ExitCode ?? -1, result.Duration.TotalMilliseconds);
        }

        return result;
    }

    private static async Task WriteStdinAsync(Process process, FenceAgentInvocation invocation)
    {
        try
        {
            await process.StandardInput.WriteAsync(FenceAgentArguments.Format(invocation.Arguments)).ConfigureAwait(false);
            await process.StandardInput.FlushAsync().ConfigureAwait(false);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The agent exited or closed stdin without reading everything; its exit code tells the rest.
        }
    }

    private static void KillGroup(Process process, int pid)
    {
        if (SetsidPath is not null)
        {
            // The agent is its session's process group leader (setsid): one signal reaches every descendant
            // still in the group, also those whose parent already died.
            _ = Kill(-pid, SigKill);
        }

        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    private static bool IsExecutable(string path) =>
        File.Exists(path) && !OperatingSystem.IsWindows() &&
        (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    [GeneratedRegex("^fence_[A-Za-z0-9_]+$")]
    private static partial Regex AgentNamePattern();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Running fence agent {Agent} {Action} (pid {Pid}, timeout {TimeoutSeconds} s)")]
    private static partial void LogStarted(ILogger logger, string agent, string action, int pid, double timeoutSeconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Fence agent {Agent} {Action} (pid {Pid}) exited {ExitCode} after {Milliseconds} ms")]
    private static partial void LogExited(ILogger logger, string agent, string action, int pid, int exitCode, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fence agent {Agent} {Action} (pid {Pid}) timed out after {TimeoutSeconds} s; process group killed")]
    private static partial void LogTimedOut(ILogger logger, string agent, string action, int pid, double timeoutSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Fence agent {Agent} {Action} (pid {Pid}) cancelled; process group killed")]
    private static partial void LogCancelled(ILogger logger, string agent, string action, int pid);
}
