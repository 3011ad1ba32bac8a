namespace MLNet.Adversarial.Tuning;

/// <summary>One finished trial of a tuning search, as trials.json records it.</summary>
public sealed record TuningTrial
{
    /// <summary>Identifies the trial within its search: <c>defaults-&lt;trainer&gt;</c>, or <c>c&lt;configuration&gt;@&lt;epochs&gt;</c>.</summary>
    public required string Key { get; init; }

    /// <summary>The 1-based position of the trial in the search.</summary>
    public required int Number { get; init; }

    /// <summary>The sampled configuration's index (−1 for a trainer's defaults).</summary>
    public required int Configuration { get; init; }

    /// <summary>The trainer, in lower case (bpr, apr, irgan, cfgan).</summary>
    public required string Trainer { get; init; }

    /// <summary>The successive-halving bracket (−1 for the defaults).</summary>
    public required int Bracket { get; init; }

    /// <summary>The rung within the bracket (0: the smallest budget).</summary>
    public required int Rung { get; init; }

    /// <summary>The trial's budget: its maximum number of epochs (the trainer's own epochs for the defaults).</summary>
    public required int Epochs { get; init; }

    /// <summary>The sampled hyper-parameters (property name → value); empty for the defaults.</summary>
    public required IReadOnlyDictionary<string, string> Parameters { get; init; }

    /// <summary>Validation NDCG@10 of the selected epoch (0 when the trial failed).</summary>
    public required double ValidationNdcg { get; init; }

    /// <summary>The epoch model selection kept.</summary>
    public required int SelectedEpoch { get; init; }

    /// <summary>Epochs actually run (early stopping may end a trial before its budget).</summary>
    public required int EpochsRun { get; init; }

    /// <summary>Wall-clock seconds of the trial.</summary>
    public required double Seconds { get; init; }

    /// <summary>Why the trial failed (diverged, out of memory), or null.</summary>
    public string? Error { get; init; }

    /// <summary>Whether this is a trainer's defaults.</summary>
    public bool IsDefaults => Configuration < 0;
}
