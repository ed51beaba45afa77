using System.Collections.Concurrent;
using System.Net;
using ClusterManager.Agents.IpAddr;
using ClusterManager.Vrrp.Configuration;
using Microsoft.Extensions.Logging;

namespace ClusterManager.Agents.Vrrp;

/// <summary>
/// <c>ocf:clustermanager:vrrp</c>: one VRRP instance (keepalived's <c>vrrp_instance</c>), run by a supervised cm-vrrpd
/// process per resource with a generated configuration. Start is idempotent (a running instance, also one a previous
/// cluster daemon started, is adopted); stop sends SIGTERM (a master resigns with a priority-0 advert and removes its
/// addresses), falls back to SIGKILL, and then removes whatever virtual address is still configured; monitor answers 0
/// while the process runs and 7 otherwise. While an instance runs, its role and any peer mismatch are published as the
/// transient node attributes <c>vrrp-RESOURCE-master</c> (1/0) and <c>vrrp-RESOURCE-mismatch</c>; when the process
/// dies unexpectedly the addresses are removed at once (the kernel would keep answering ARP for them).
/// </summary>
/// <remarks>
/// A separate process rather than the protocol in the cluster daemon: the advert timers (down to 10 ms) must not
/// stall on the daemon's garbage collections or thread-pool load, a protocol crash cannot take the daemon down, and
/// the host that the byte-identical and keepalived interop tests cover is run exactly as tested (namespaces through
/// <c>ip netns exec</c>). cm-vrrpd is looked for at <see cref="VrrpAgentOptions.Daemon"/>, the <c>daemon</c>
/// parameter, beside this assembly, in /usr/lib/clustermanager, then on PATH.
/// </remarks>
public sealed partial class VrrpAgent(VrrpAgentOptions options, TimeProvider time, ILogger<VrrpAgent> logger, ITransientAttributeSink? attributes = null)
    : IResourceAgent, IAsyncDisposable
{
    private const string DaemonName = "cm-vrrpd";
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Watcher> _watchers = new(StringComparer.Ordinal);

    /// <summary>The attribute that is 1 on the node where <paramref name="instance"/> is master, 0 elsewhere.</summary>
    public static string MasterAttribute(string instance) => $"vrrp-{instance}-master";

    /// <summary>The attribute naming peers whose adverts disagree with <paramref name="instance"/>'s settings.</summary>
    public static string MismatchAttribute(string instance) => $"vrrp-{instance}-mismatch";

    public async Task<AgentResult> ExecuteAsync(AgentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = time.GetUtcNow();
        var ticks = time.GetTimestamp();
        AgentResult Result(OcfExitCode rc, string? reason = null, ExecStatus status = ExecStatus.Done, string output = "") =>
            new(rc, status, reason, output, string.Empty, started, time.GetElapsedTime(ticks));

        if (request.Action == AgentActions.MetaData)
        {
            return Result(OcfExitCode.Success, output: VrrpMetadata.Xml);
        }

        var instance = VrrpAgentParameters.InstanceName(request.ResourceId.Value);
        var paths = new InstancePaths(Path.Combine(options.StateDirectory, instance), instance);
        var (parameters, errors) = VrrpAgentParameters.Parse(request.ResourceId.Value, request.Parameters);
        var problem = errors.Count == 0 ? null : string.Join("; ", errors);

        using var timeout = new CancellationTokenSource(request.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var gate = _locks.GetOrAdd(instance, _ => new SemaphoreSlim(1, 1));
        try
        {
            await gate.WaitAsync(linked.Token).ConfigureAwait(false);
            try
            {
                switch (request.Action)
                {
                    case AgentActions.Start when parameters is null:
                        return Result(OcfExitCode.NotConfigured, problem);
                    case AgentActions.Start:
                        var (rc, reason) = await StartAsync(parameters, paths, linked.Token).ConfigureAwait(false);
                        return Result(rc, reason);
                    case AgentActions.Stop:
                        // What was started is in the generated configuration, whatever the parameters say now.
                        await StopAsync(paths, parameters, linked.Token).ConfigureAwait(false);
                        return Result(OcfExitCode.Success);
                    case AgentActions.Monitor:
                        if (RunningPid(paths) is not null)
                        {
                            EnsureWatching(paths, StoredNamespace(paths) ?? parameters?.NetworkNamespace, null);
                            return Result(OcfExitCode.Success);
                        }

                        return parameters is null && !request.IsProbe ? Result(OcfExitCode.NotConfigured, problem) : Result(OcfExitCode.NotRunning);
                    case AgentActions.ValidateAll:
                        return parameters is null ? Result(OcfExitCode.NotConfigured, problem)
                            : ResolveDaemon(parameters) is null ? Result(OcfExitCode.NotInstalled, "cm-vrrpd not found")
                            : Result(OcfExitCode.Success);
                    default:
                        return Result(OcfExitCode.Unimplemented, $"action {request.Action} is not supported by {request.Agent}");
                }
            }
            finally
            {
                gate.Release();
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Result(OcfExitCode.GenericError, $"{request.Action} did not complete within {request.Timeout.TotalMilliseconds:0} ms", ExecStatus.Timeout);
        }
        catch (OperationCanceledException)
        {
            return Result(OcfExitCode.GenericError, "operation cancelled", ExecStatus.Cancelled);
        }
    }

    /// <summary>Stops watching (the instances keep running: a new cluster daemon adopts them).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var watcher in _watchers.Values)
        {
            await watcher.CancelAsync().ConfigureAwait(false);
        }

        _watchers.Clear();
    }

    private async Task<(OcfExitCode Rc, string? Reason)> StartAsync(VrrpAgentParameters p, InstancePaths paths, CancellationToken cancellationToken)
    {
        if (RunningPid(paths) is not null)
        {
            EnsureWatching(paths, StoredNamespace(paths) ?? p.NetworkNamespace, null);
            return (OcfExitCode.Success, null);
        }

        if (ResolveDaemon(p) is not { } daemon)
        {
            return (OcfExitCode.NotInstalled, $"{DaemonName} not found (set the daemon parameter)");
        }

        Directory.CreateDirectory(paths.Directory);
        foreach (var stale in new[] { paths.State, paths.Mismatch, paths.Pid })
        {
            File.Delete(stale);
        }

        var config = p.Config with { StateDirectory = paths.Directory };
        await File.WriteAllTextAsync(paths.Config, config.ToJson(), cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(paths.Namespace, p.NetworkNamespace ?? string.Empty, cancellationToken).ConfigureAwait(false);
        var command = new List<string>();
        if (p.NetworkNamespace is { } ns)
        {
            command.AddRange(["ip", "netns", "exec", ns]);
        }

        command.AddRange(daemon);
        command.AddRange(["--config", paths.Config]);
        var info = new System.Diagnostics.ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        // The daemon outlives this call (and a restart of the cluster daemon): its output goes to its own log.
        foreach (var arg in new[] { "-c", "log=$1; shift; exec \"$@\" >>\"$log\" 2>&1 </dev/null", DaemonName, paths.Log }.Concat(command))
        {
            info.ArgumentList.Add(arg);
        }

        var process = System.Diagnostics.Process.Start(info) ?? throw new InvalidOperationException("/bin/sh did not start");
        await File.WriteAllTextAsync(paths.Pid, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n", cancellationToken)
            .ConfigureAwait(false);
        LogStarted(p.Instance, process.Id, string.Join(' ', command));

        // Started = the instance is up: it writes its state file (BACKUP, or MASTER for an owner) once its sockets are open.
        while (!File.Exists(paths.State))
        {
            if (process.HasExited)
            {
                var tail = LogTail(paths.Log);
                var exitCode = SafeExitCode(process);
                process.Dispose();
                await StopAsync(paths, p, CancellationToken.None).ConfigureAwait(false);
                return (OcfExitCode.GenericError, $"{DaemonName} exited with {exitCode} during start: {tail}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken).ConfigureAwait(false);
        }

        EnsureWatching(paths, p.NetworkNamespace, process);
        return (OcfExitCode.Success, null);
    }

    private async Task StopAsync(InstancePaths paths, VrrpAgentParameters? requested, CancellationToken cancellationToken)
    {
        if (_watchers.TryRemove(paths.Instance, out var watcher))
        {
            await watcher.CancelAsync().ConfigureAwait(false);
        }

        if (RunningPid(paths) is { } pid)
        {
            // SIGTERM: a master sends priority 0 (the backup takes over after Skew_Time) and removes its addresses.
            Interop.Libc.kill(pid, 15);
            if (!await WaitForExitAsync(paths, KillWait, cancellationToken).ConfigureAwait(false))
            {
                LogKilled(paths.Instance, pid);
                Interop.Libc.kill(pid, Interop.Libc.SigKill);
                await WaitForExitAsync(paths, KillWait, cancellationToken).ConfigureAwait(false);
            }
        }

        var stored = StoredConfig(paths);
        var config = stored ?? requested?.Config;
        var ns = stored is not null ? StoredNamespace(paths) : requested?.NetworkNamespace;
        if (config is not null)
        {
            await RemoveAddressesAsync(config, ns, cancellationToken).ConfigureAwait(false);
        }

        foreach (var file in new[] { paths.Pid, paths.State, paths.Mismatch })
        {
            File.Delete(file);
        }

        attributes?.SetTransientAttribute(MasterAttribute(paths.Instance), "0");
        attributes?.SetTransientAttribute(MismatchAttribute(paths.Instance), null);
    }

    /// <summary>Removes every virtual address still configured in the namespace (after a crash or a SIGKILL).</summary>
    private async Task RemoveAddressesAsync(VrrpHostConfig config, string? ns, CancellationToken cancellationToken)
    {
        var wanted = config.Instances.SelectMany(i => i.VirtualAddresses)
            .Select(a => IPAddress.TryParse(a.Split('/')[0], out var address) ? address : null)
            .OfType<IPAddress>().ToHashSet();
        var ip = new IpCommand(ns);
        IReadOnlyList<LinkInfo> links;
        try
        {
            links = await ip.AddressesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            LogCleanupFailed(config.Instances[0].Name, e.Message);
            return;
        }

        foreach (var link in links)
        {
            foreach (var a in link.Addresses)
            {
                if (IPAddress.TryParse(a.Local, out var local) && wanted.Contains(local))
                {
                    var del = await ip.RunAsync(["addr", "del", $"{a.Local}/{a.PrefixLength}", "dev", link.Name], cancellationToken).ConfigureAwait(false);
                    if (del.ExitCode != 0)
                    {
                        LogCleanupFailed(config.Instances[0].Name, del.Error);
                    }
                    else
                    {
                        LogAddressRemoved(config.Instances[0].Name, a.Local, link.Name);
                    }
                }
            }
        }

        foreach (var instance in config.Instances.Where(i => i.UseVmac))
        {
            var vmac = $"vrrp.{instance.Vrid}";
            if (links.Any(l => l.Name == vmac))
            {
                await ip.RunAsync(["link", "del", vmac], cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private void EnsureWatching(InstancePaths paths, string? ns, System.Diagnostics.Process? process)
    {
        if (_watchers.ContainsKey(paths.Instance))
        {
            process?.Dispose();
            return;
        }

        var watcher = new Watcher(process);
        _watchers[paths.Instance] = watcher;
        watcher.Task = Task.Run(() => WatchAsync(paths, ns, watcher), CancellationToken.None);
    }

    /// <summary>Publishes the role and mismatches while the process runs; cleans up after it when it dies on its own.</summary>
    private async Task WatchAsync(InstancePaths paths, string? ns, Watcher watcher)
    {
        var token = watcher.Stop.Token;
        string? master = null;
        string? mismatch = null;
        var first = true;
        try
        {
            while (!token.IsCancellationRequested)
            {
                if (!first)
                {
                    await Task.Delay(options.PollInterval, time, token).ConfigureAwait(false);
                }

                first = false;
                if (RunningPid(paths) is null)
                {
                    LogExited(paths.Instance);
                    _watchers.TryRemove(new KeyValuePair<string, Watcher>(paths.Instance, watcher));
                    if (StoredConfig(paths) is { } config)
                    {
                        await RemoveAddressesAsync(config, ns, token).ConfigureAwait(false);
                    }

                    attributes?.SetTransientAttribute(MasterAttribute(paths.Instance), "0");
                    attributes?.SetTransientAttribute(MismatchAttribute(paths.Instance), null);
                    return;
                }

                var state = ReadState(paths);
                var nowMaster = state == "MASTER" ? "1" : "0";
                if (nowMaster != master)
                {
                    master = nowMaster;
                    attributes?.SetTransientAttribute(MasterAttribute(paths.Instance), master);
                }

                var nowMismatch = VrrpMismatchFile.Summary(VrrpMismatchFile.Read(paths.Mismatch), time.GetUtcNow());
                if (nowMismatch != mismatch)
                {
                    if (nowMismatch is not null)
                    {
                        LogMismatch(paths.Instance, nowMismatch);
                    }

                    mismatch = nowMismatch;
                    attributes?.SetTransientAttribute(MismatchAttribute(paths.Instance), mismatch);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped or disposed.
        }
        catch (IOException e)
        {
            LogCleanupFailed(paths.Instance, e.Message);
        }
    }

    /// <summary>The pid of the instance's cm-vrrpd when it runs (its command line names the instance's configuration).</summary>
    private static int? RunningPid(InstancePaths paths)
    {
        string text;
        try
        {
            text = File.ReadAllText(paths.Pid);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        if (!int.TryParse(text.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid))
        {
            return null;
        }

        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat.LastIndexOf(')') is var end and > 0 && end + 2 < stat.Length ? stat[end + 2] : '?';
            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
            return state != 'Z' && state != 'X' && cmdline.Contains(paths.Config, StringComparer.Ordinal) ? pid : null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return null;
        }
    }

    private async Task<bool> WaitForExitAsync(InstancePaths paths, TimeSpan limit, CancellationToken cancellationToken)
    {
        var deadline = time.GetTimestamp();
        while (RunningPid(paths) is not null)
        {
            if (time.GetElapsedTime(deadline) > limit)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    private static string? ReadState(InstancePaths paths)
    {
        try
        {
            return File.ReadAllText(paths.State).Trim();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static VrrpHostConfig? StoredConfig(InstancePaths paths)
    {
        try
        {
            return VrrpHostConfig.Parse(File.ReadAllText(paths.Config)).Config;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static string? StoredNamespace(InstancePaths paths)
    {
        try
        {
            return File.ReadAllText(paths.Namespace).Trim() is { Length: > 0 } ns ? ns : null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The command that runs cm-vrrpd; null when it is nowhere to be found.</summary>
    private IReadOnlyList<string>? ResolveDaemon(VrrpAgentParameters p)
    {
        static IReadOnlyList<string> Command(string path) =>
            path.EndsWith(".dll", StringComparison.Ordinal) ? ["dotnet", path] : [path];

        if ((p.Daemon ?? options.Daemon) is { } given)
        {
            return File.Exists(given) ? Command(given) : null;
        }

        var candidates = new[]
        {
            Path.Combine(AppContext.BaseDirectory, DaemonName),
            Path.Combine("/usr/lib/clustermanager", DaemonName),
        }.Concat((Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, DaemonName)));
        if (candidates.FirstOrDefault(File.Exists) is { } found)
        {
            return [found];
        }

        var dll = Path.Combine(AppContext.BaseDirectory, DaemonName + ".dll");
        return File.Exists(dll) ? Command(dll) : null;
    }

    private static string LogTail(string path)
    {
        try
        {
            var lines = File.ReadAllLines(path);
            return string.Join(" | ", lines.Skip(Math.Max(0, lines.Length - 3)));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return "(no output)";
        }
    }

    private static string SafeExitCode(System.Diagnostics.Process process)
    {
        try
        {
            return process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (InvalidOperationException)
        {
            return "an unknown code";
        }
    }

    /// <summary>The files of one instance.</summary>
    private sealed record InstancePaths(string Directory, string Instance)
    {
        public string Config => Path.Combine(Directory, "cm-vrrpd.json");

        public string Pid => Path.Combine(Directory, "cm-vrrpd.pid");

        public string Log => Path.Combine(Directory, "cm-vrrpd.log");

        public string Namespace => Path.Combine(Directory, "netns");

        public string State => Path.Combine(Directory, Instance + VrrpMismatchFile.StateExtension);

        public string Mismatch => Path.Combine(Directory, Instance + VrrpMismatchFile.Extension);
    }

    private sealed class Watcher(System.Diagnostics.Process? process)
    {
        public CancellationTokenSource Stop { get; } = new();

        public Task Task { get; set; } = Task.CompletedTask;

        public async Task CancelAsync()
        {
            await Stop.CancelAsync().ConfigureAwait(false);
            await Task.ConfigureAwait(false);
            Stop.Dispose();
            process?.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "vrrp {Instance}: started cm-vrrpd (pid {Pid}): {Command}")]
    private partial void LogStarted(string instance, int pid, string command);

    [LoggerMessage(Level = LogLevel.Warning, Message = "vrrp {Instance}: cm-vrrpd (pid {Pid}) did not stop on SIGTERM; killed")]
    private partial void LogKilled(string instance, int pid);

    [LoggerMessage(Level = LogLevel.Error, Message = "vrrp {Instance}: cm-vrrpd exited unexpectedly; removing its addresses")]
    private partial void LogExited(string instance);

    [LoggerMessage(Level = LogLevel.Information, Message = "vrrp {Instance}: removed {Address} from {Interface}")]
    private partial void LogAddressRemoved(string instance, string address, string @interface);

    [LoggerMessage(Level = LogLevel.Warning, Message = "vrrp {Instance}: cleanup problem: {Problem}")]
    private partial void LogCleanupFailed(string instance, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "vrrp {Instance}: peer mismatch: {Mismatch}")]
    private partial void LogMismatch(string instance, string mismatch);
}
