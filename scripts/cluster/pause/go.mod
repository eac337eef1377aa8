module peerloan.local/pause

go 1.22
