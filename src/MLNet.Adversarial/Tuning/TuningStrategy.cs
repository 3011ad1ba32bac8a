namespace MLNet.Adversarial.Tuning;

/// <summary>How a tuning search spends its epochs.</summary>
public enum TuningStrategy
{
    /// <summary>
    /// Successive halving over epochs: each bracket trains η^(rungs−1) new configurations for the smallest budget, keeps
    /// the best 1/η for η times the epochs, and so on up to the largest budget.
    /// </summary>
    SuccessiveHalving,

    /// <summary>Plain random search: every configuration trains with the largest budget.</summary>
    RandomSearch,
}
