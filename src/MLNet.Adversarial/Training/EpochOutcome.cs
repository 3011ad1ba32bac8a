namespace MLNet.Adversarial.Training;

/// <summary>What one epoch of a trainer's step reports to the loop.</summary>
/// <param name="Loss">The mean training loss (the generator's for a GAN).</param>
/// <param name="Pairs">Training pairs (or rows) processed.</param>
/// <param name="Adversarial">Whether an adversarial term was active.</param>
/// <param name="AdversaryLoss">The privacy adversary's mean loss, when there is one.</param>
/// <param name="DiscriminatorLoss">The discriminator's mean loss, for a GAN.</param>
internal readonly record struct EpochOutcome(double Loss, long Pairs, bool Adversarial, double? AdversaryLoss = null, double? DiscriminatorLoss = null);
