print("refwire")
