"""Impact: perception before and after, outcomes per participant, the host company's assessment, the bilan."""
