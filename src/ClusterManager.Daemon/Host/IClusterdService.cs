namespace ClusterManager.Daemon.Host;

/// <summary>Whether clusterd runs and whether it starts at boot.</summary>
internal sealed record ClusterdServiceState(bool Running, bool Enabled);

/// <summary>The outcome of a service operation: done (with what was done), or failed with the reason.</summary>
internal sealed record ServiceResult(bool Succeeded, string Message)
{
    public static ServiceResult Done(string message) => new(true, message);

    public static ServiceResult Failed(string message) => new(false, message);
}

/// <summary>
/// How the host agent controls clusterd on its node: <see cref="SystemdClusterdService"/> (systemctl, production) or
/// <see cref="ProcessClusterdService"/> (a child process; tests on loopback, machines without systemd).
/// </summary>
internal interface IClusterdService
{
    /// <summary>"systemd" or "process", reported by Status.</summary>
    string Kind { get; }

    Task<ClusterdServiceState> GetStateAsync(CancellationToken cancellationToken);

    /// <summary>Starts clusterd with the installed configuration file <paramref name="configFile"/>.</summary>
    Task<ServiceResult> StartAsync(string configFile, CancellationToken cancellationToken);

    Task<ServiceResult> StopAsync(CancellationToken cancellationToken);

    Task<ServiceResult> EnableAsync(CancellationToken cancellationToken);

    Task<ServiceResult> DisableAsync(CancellationToken cancellationToken);
}
