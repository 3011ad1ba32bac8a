namespace MLNet.Adversarial.Robustness;

/// <summary>
/// How the fake profiles of a <see cref="ShillingAttack"/> are filled (Mobasher et al., ACM TOIT 2007). Every fake user
/// gives the target items the highest rating; the profiles differ in their other items.
/// </summary>
public enum ShillingProfile
{
    /// <summary>Filler items drawn uniformly, rated from a normal distribution around the global mean rating.</summary>
    Random,

    /// <summary>Filler items drawn uniformly, each rated from a normal distribution around that item's mean rating.</summary>
    Average,

    /// <summary>The most popular items (<see cref="ShillingAttack.Options.SelectedItems"/>) at the highest rating, plus random fillers as in <see cref="Random"/>.</summary>
    Bandwagon,

    /// <summary>
    /// The items most often consumed together with the targets (the attacked segment, <see cref="ShillingAttack.Options.SelectedItems"/>)
    /// at the highest rating, fillers at the lowest rating.
    /// </summary>
    Segment,
}
