namespace ClusterManager.Benchmarks.Scheduler;

/// <summary>
/// Everything measured for one (size, scenario): generation, parse, Compute (median of repeats), memory, the
/// engine's and crm_simulate's action counts and times, and the placement check. Serialized as one JSON line
/// between processes. Times in seconds, memory in MB.
/// </summary>
public sealed record CellResult
{
    public int Nodes { get; init; }

    public int Resources { get; init; }

    public int Constraints { get; init; }

    public string Scenario { get; init; } = "";

    public double CibMb { get; init; }

    public double WriteSeconds { get; init; }

    public double ParseSeconds { get; init; }

    public int ParseWarnings { get; init; }

    /// <summary>ok, not-implemented, or error.</summary>
    public string EngineStatus { get; init; } = "";

    public string? EngineError { get; init; }

    public double ComputeMedian { get; init; }

    public double ComputeMin { get; init; }

    public double ComputeMax { get; init; }

    public int Repeats { get; init; }

    /// <summary>Compute runs before the timed ones (steady state: see SchedulerCommand.MeasureEngine).</summary>
    public int WarmUps { get; init; }

    public double ComputeAllocatedMb { get; init; }

    public double PeakWorkingSetMb { get; init; }

    public ActionCounts? Engine { get; init; }

    /// <summary>ok, timeout, error, skipped, absent (not installed) or off.</summary>
    public string CrmStatus { get; init; } = "off";

    public string? CrmError { get; init; }

    public double CrmWall { get; init; }

    public double CrmCpu { get; init; }

    public double CrmPeakRssMb { get; init; }

    public ActionCounts? Crm { get; init; }

    public PlacementAgreement? Placement { get; init; }

    public string? PlacementError { get; init; }

    /// <summary>Our end-to-end time, comparable with crm_simulate's (which also reads the file): parse + Compute.</summary>
    public double OursSeconds => ParseSeconds + ComputeMedian;
}
