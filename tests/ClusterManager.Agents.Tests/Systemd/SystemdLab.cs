namespace ClusterManager.Agents.Tests.Systemd;

/// <summary>A real systemd 252 booted with systemd-nspawn by <c>sd-lab.sh</c>, with the test's unit files.</summary>
internal sealed class SystemdLab : IDisposable
{
    private readonly string _script = Path.Combine(AppContext.BaseDirectory, "Systemd", "sd-lab.sh");

    public SystemdLab(IReadOnlyDictionary<string, string> units)
    {
        Name = $"cmt-sd-{Random.Shared.Next(0x10000):x4}";
        Directory = Path.Combine(Path.GetTempPath(), Name);
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "units"));
        foreach (var (name, text) in units)
        {
            File.WriteAllText(Path.Combine(Directory, "units", name), text);
        }

        try
        {
            Run(_script, "up", Name, Directory);
            Pid = int.Parse(File.ReadAllText(Path.Combine(Directory, "pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Name { get; }

    public string Directory { get; }

    public int Pid { get; }

    public string BusAddress => $"unix:path={Path.Combine(Directory, "system_bus_socket")}";

    public string DropInDirectory => $"/proc/{Pid}/root/run/systemd/system";

    /// <summary><c>systemctl show -p PROPERTY --value UNIT</c> inside the container.</summary>
    public string Show(string unit, string property) =>
        Run("nsenter", "-t", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "-a", "systemctl", "show", "-p", property, "--value", unit).Trim();

    public void Dispose() => Run(_script, "down", Name, Directory);

    private static string Run(params string[] args) => Support.NetnsLab.Run(args);
}
