using System.ComponentModel;
using System.Diagnostics;

namespace ClusterManager.Daemon.Host;

/// <summary>
/// clusterd as a systemd unit (deploy/clusterd.service), driven with systemctl: the unit file names the
/// configuration file, so <see cref="StartAsync"/> ignores its argument. systemctl rather than the D-Bus client of
/// ClusterManager.Agents: that client is internal to its assembly, and these are a handful of calls an operator
/// would type, with systemd's own error messages to pass on.
/// </summary>
internal sealed class SystemdClusterdService(string unit) : IClusterdService
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public string Kind => "systemd";

    public async Task<ClusterdServiceState> GetStateAsync(CancellationToken cancellationToken)
    {
        var active = await RunAsync(["is-active", "--quiet", unit], cancellationToken).ConfigureAwait(false);
        var enabled = await RunAsync(["is-enabled", "--quiet", unit], cancellationToken).ConfigureAwait(false);
        return new ClusterdServiceState(active.Code == 0, enabled.Code == 0);
    }

    public Task<ServiceResult> StartAsync(string configFile, CancellationToken cancellationToken) => ChangeAsync("start", "started", cancellationToken);

    public Task<ServiceResult> StopAsync(CancellationToken cancellationToken) => ChangeAsync("stop", "stopped", cancellationToken);

    public Task<ServiceResult> EnableAsync(CancellationToken cancellationToken) => ChangeAsync("enable", "enabled (starts at boot)", cancellationToken);

    public Task<ServiceResult> DisableAsync(CancellationToken cancellationToken) => ChangeAsync("disable", "disabled (does not start at boot)", cancellationToken);

    private async Task<ServiceResult> ChangeAsync(string verb, string done, CancellationToken cancellationToken)
    {
        var (code, error) = await RunAsync([verb, unit], cancellationToken).ConfigureAwait(false);
        return code == 0
            ? ServiceResult.Done($"{unit} {done}")
            : ServiceResult.Failed($"systemctl {verb} {unit} failed (exit {code}): {error}");
    }

    private static async Task<(int Code, string Error)> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("systemctl") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("systemctl did not start");
        }
        catch (Win32Exception e)
        {
            return (127, $"cannot run systemctl: {e.Message}");
        }

        using (process)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                await output.ConfigureAwait(false);
                return (process.ExitCode, (await error.ConfigureAwait(false)).Trim());
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                return (124, $"systemctl {string.Join(' ', args)} did not finish within {Timeout.TotalSeconds:0} s");
            }
        }
    }
}
