namespace MLNet.Adversarial.Training;

/// <summary>Per-epoch figures reported through <see cref="IProgress{T}"/> and <c>MLContext.Log</c>.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TotalEpochs">The configured maximum number of epochs (early stopping may end training before).</param>
/// <param name="Loss">Mean training loss per pair over the epoch: the BPR loss plus, when active, λ times the adversarial one (the L2 penalty is not included).</param>
/// <param name="ValidationMetric">The validation metric after this epoch, when it was evaluated.</param>
/// <param name="Seconds">Wall-clock seconds spent on the epoch's training steps (validation excluded).</param>
/// <param name="Pairs">Number of (user, positive, negative) training pairs in the epoch.</param>
/// <param name="Adversarial">Whether the adversarial term was active.</param>
/// <param name="AdversaryLoss">With privacy-adversarial training: the attribute adversary's mean (class-balanced) cross-entropy over the epoch's batches.</param>
/// <param name="DiscriminatorLoss">With generator/discriminator training (IRGAN, CFGAN): the discriminator's mean loss over the epoch; <paramref name="Loss"/> is then the generator's.</param>
public sealed record TrainingEpochReport(int Epoch, int TotalEpochs, double Loss, double? ValidationMetric, double Seconds, long Pairs, bool Adversarial,
    double? AdversaryLoss = null, double? DiscriminatorLoss = null)
{
    /// <summary>The schedule phase the epoch belongs to (for example "bpr" then "apr", or "pretraining" then "game").</summary>
    public string Phase { get; init; } = "";

    /// <summary>Training pairs per second in this epoch.</summary>
    public double PairsPerSecond => Seconds > 0 ? Pairs / Seconds : 0;

    /// <inheritdoc />
    public override string ToString() =>
        FormattableString.Invariant($"epoch {Epoch}/{TotalEpochs}{(Adversarial ? " (adv)" : "")}: {(DiscriminatorLoss is null ? "loss" : "G loss")} {Loss:F4}") +
        (DiscriminatorLoss is { } d ? FormattableString.Invariant($", D loss {d:F4}") : "") +
        (ValidationMetric is { } m ? FormattableString.Invariant($", validation {m:F4}") : "") +
        (AdversaryLoss is { } a ? FormattableString.Invariant($", adversary CE {a:F4}") : "") +
        FormattableString.Invariant($", {Seconds:F2}s, {PairsPerSecond / 1e6:F2}M pairs/s");
}
