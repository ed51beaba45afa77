namespace ClusterManager.Agents.Systemd;

/// <summary>Where the systemd agent finds systemd.</summary>
public sealed class SystemdOptions
{
    /// <summary>The system bus (<c>DBUS_SYSTEM_BUS_ADDRESS</c> when set, else the standard socket).</summary>
    public string BusAddress { get; set; } =
        Environment.GetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS") ?? "unix:path=/run/dbus/system_bus_socket";

    /// <summary>The runtime unit directory that receives the per-unit drop-ins.</summary>
    public string DropInDirectory { get; set; } = "/run/systemd/system";

    /// <summary>The cluster daemon's unit: managed units are ordered before it, so shutdown stops them after it.</summary>
    public string DaemonUnit { get; set; } = "clusterd.service";
}
