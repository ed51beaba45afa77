using System.ComponentModel;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace ClusterManager.Daemon.Host;

/// <summary>
/// clusterd as a child process of the agent (loopback tests, machines without systemd). It shares the agent's
/// console, so its log lands with the agent's. "Enabled" is a marker file in the agent's state directory: the agent
/// starts clusterd when it starts itself (its boot). Stop sends SIGTERM (clusterd's clean stop) and kills after
/// <see cref="StopTimeout"/>; the agent stops its child when it stops.
/// </summary>
internal sealed class ProcessClusterdService(HostAgentOptions options) : IClusterdService, IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);
    private const int SigTerm = 15;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Process? _process;

    public string Kind => "process";

    private string EnabledMarker => Path.Combine(options.StateDirectory, "clusterd-enabled");

    public Task<ClusterdServiceState> GetStateAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new ClusterdServiceState(_process is { HasExited: false }, File.Exists(EnabledMarker)));

    public async Task<ServiceResult> StartAsync(string configFile, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_process is { HasExited: false })
            {
                return ServiceResult.Done($"clusterd already running (pid {_process.Id})");
            }

            _process?.Dispose();
            var command = Command();
            var info = new ProcessStartInfo(command[0]) { UseShellExecute = false };
            foreach (var arg in command.Skip(1).Concat(["--config", configFile]))
            {
                info.ArgumentList.Add(arg);
            }

            try
            {
                _process = Process.Start(info) ?? throw new InvalidOperationException("clusterd did not start");
            }
            catch (Win32Exception e)
            {
                _process = null;
                return ServiceResult.Failed($"cannot run {command[0]}: {e.Message}");
            }

            return ServiceResult.Done($"clusterd started (pid {_process.Id})");
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<ServiceResult> StopAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_process is not { HasExited: false } process)
            {
                return ServiceResult.Done("clusterd was not running");
            }

            _ = kill(process.Id, SigTerm);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StopTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                return ServiceResult.Done($"clusterd stopped (pid {process.Id}, exit {process.ExitCode})");
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                return ServiceResult.Done($"clusterd killed (pid {process.Id}): it did not stop within {StopTimeout.TotalSeconds:0} s of SIGTERM");
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task<ServiceResult> EnableAsync(CancellationToken cancellationToken)
    {
        SecureFile.Write(EnabledMarker, "clusterd starts when the host agent starts\n", secret: false);
        return Task.FromResult(ServiceResult.Done("clusterd enabled (starts with the host agent)"));
    }

    public Task<ServiceResult> DisableAsync(CancellationToken cancellationToken)
    {
        File.Delete(EnabledMarker);
        return Task.FromResult(ServiceResult.Done("clusterd disabled (does not start with the host agent)"));
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _process?.Dispose();
        _gate.Dispose();
    }

    /// <summary>The configured command, else this executable (<c>clusterd</c>, or <c>dotnet clusterd.dll</c>).</summary>
    private List<string> Command()
    {
        if (options.ClusterdCommand.Count > 0)
        {
            return options.ClusterdCommand;
        }

        var self = Environment.ProcessPath ?? throw new InvalidOperationException("the agent's executable is unknown: set Host:ClusterdCommand");
        return Path.GetFileNameWithoutExtension(self) == "dotnet"
            ? [self, Assembly.GetEntryAssembly()?.Location ?? throw new InvalidOperationException("the entry assembly is unknown: set Host:ClusterdCommand")]
            : [self];
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
